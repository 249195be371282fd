"""Test and benchmark controls: request counts, knobs, queued faults, held endpoints, forced
states."""

from flask import Blueprint, abort, current_app, jsonify, request

from sandbox.store import ENDPOINTS

bp = Blueprint("sandbox_control", __name__)


def store():
    return current_app.extensions["sandbox_store"]


def json_body():
    body = request.get_json(silent=True)
    if body is None:
        abort(400, description="A JSON body is required.")
    return body


@bp.get("/stats")
def stats():
    return jsonify(store().counts())


@bp.post("/reset")
def reset():
    store().reset()
    return jsonify(ok=True)


@bp.post("/knobs")
def knobs():
    store().set_knobs(json_body())
    return jsonify(ok=True)


@bp.post("/faults/<endpoint>")
def faults(endpoint: str):
    if endpoint not in ENDPOINTS:
        abort(404)
    body = json_body()
    store().add_faults(endpoint, body if isinstance(body, list) else [body])
    return jsonify(ok=True)


@bp.post("/hold/<endpoint>")
def hold(endpoint: str):
    """The endpoint's requests wait unanswered until the hold is released (a minute at most)."""
    if endpoint not in ENDPOINTS:
        abort(404)
    store().hold(endpoint)
    return jsonify(ok=True)


@bp.delete("/hold/<endpoint>")
def release(endpoint: str):
    if endpoint not in ENDPOINTS:
        abort(404)
    store().release(endpoint)
    return jsonify(ok=True)


@bp.get("/orders")
def orders():
    """Every order the sandbox holds, with its services and idempotency key."""
    return jsonify(store().orders())


@bp.get("/requests/<endpoint>")
def requests_seen(endpoint: str):
    """The latest requests of an endpoint (time, key, fault), while the request_log knob is on."""
    if endpoint not in ENDPOINTS:
        abort(404)
    return jsonify(store().requests(endpoint))


@bp.put("/orders/<order_uuid>/state")
def force_state(order_uuid: str):
    if not store().force_state(order_uuid, str(json_body().get("state", ""))):
        abort(404)
    return jsonify(ok=True)


@bp.post("/orders")
def seed_orders():
    """Create many orders at once (benchmarks): {"uuids": [...], "state": "done"}."""
    body = json_body()
    state = body.get("state")
    store().save_orders({str(u): {"state": state} for u in body.get("uuids", [])})
    return jsonify(ok=True)
