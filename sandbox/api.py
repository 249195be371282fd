"""The provider's contract: catalog pages, order registration and order state."""

import json
import random
import time
import uuid
from decimal import Decimal, InvalidOperation
from functools import wraps

from flask import Blueprint, Response, abort, current_app, jsonify, request

from sandbox.catalog import MALFORMED_ITEMS, build_catalog, to_wire
from sandbox.icons import icon_svg

bp = Blueprint("sandbox_api", __name__)


def store():
    return current_app.extensions["sandbox_store"]


def settings():
    return current_app.config["SANDBOX"]


def apply_fault(fault: dict) -> Response | None:
    """Wait `delay` seconds, then answer `status` with `body` instead (if a status is given)."""
    time.sleep(float(fault.get("delay", 0)))
    if "status" not in fault:
        return None
    body = fault.get("body", json.dumps({"message": "Injected fault"}))
    if not isinstance(body, str):
        body = json.dumps(body)
    mimetype = fault.get("mimetype", "application/json")
    response = Response(body, status=int(fault["status"]), mimetype=mimetype)
    if fault.get("retry_after") is not None:
        response.headers["Retry-After"] = str(fault["retry_after"])
    return response


def log_request(name: str, knobs: dict, fault: dict | None) -> None:
    if knobs.get("request_log"):
        entry = {"t": time.time(), "key": request.headers.get("Idempotency-Key")}
        if fault:
            entry["fault"] = fault
        store().log_request(name, entry)


def provider_endpoint(name: str, token_name: str):
    """Count, delay, fault-inject and authenticate a provider request before handling it.

    A fault with `"after": true` is applied once the request has been handled: the order is
    registered, and then the answer is late, or an error, or both.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            knobs, fault, held = store().begin_request(name)
            log_request(name, knobs, fault)
            request.environ["sandbox.knobs"] = knobs
            time.sleep(knobs.get("latency_ms", settings().latency_ms) / 1000)
            if held:
                store().wait_while_held(name)
            before, after = (None, fault) if fault and fault.get("after") else (fault, None)
            if before and (response := apply_fault(before)) is not None:
                return response
            if random.random() < knobs.get("error_rate", settings().error_rate):
                return jsonify(message="Random outage"), 503
            expected = f"Bearer {getattr(settings(), token_name)}"
            if request.headers.get("Authorization") != expected:
                return jsonify(message="Unauthenticated."), 401
            response = view(*args, **kwargs)
            return (apply_fault(after) or response) if after else response

        return wrapper

    return decorate


def knob(name: str, default):
    return request.environ["sandbox.knobs"].get(name, default)


@bp.get("/api/service")
@provider_endpoint("catalog", "catalog_token")
def catalog_page():
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    size = settings().page_size
    services = build_catalog(settings().catalog_size)
    items = [to_wire(s, request.host_url) for s in services[(page - 1) * size : page * size]]
    if page == 1 and knob("catalog_malformed", 0):
        items.extend(MALFORMED_ITEMS)
    pagination = {"page": page, "pageSize": size, "totalCount": len(services)}
    return jsonify(data=items, pagination=pagination)


@bp.get("/img/<name>.svg")
def image(name: str):
    return Response(
        icon_svg(name), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def parse_money(body: dict, field: str, errors: dict) -> Decimal | None:
    try:
        value = Decimal(str(body[field]))
    except (KeyError, InvalidOperation, TypeError):
        errors[field] = [f"The {field} field is required and must be a number."]
        return None
    return value if value.is_finite() else None


def validate_order(body) -> tuple[dict, dict]:
    """Check services and totals against the catalog; return (order, errors)."""
    if not isinstance(body, dict):
        return {}, {"body": ["A JSON object is required."]}
    errors: dict = {}
    chosen = body.get("services")
    by_uuid = {s.uuid: s for s in build_catalog(settings().catalog_size)}
    if not isinstance(chosen, list) or not chosen:
        errors["services"] = ["The services field must be a non-empty list."]
        chosen = []
    elif len(set(map(str, chosen))) != len(chosen):
        errors["services"] = ["Each service may appear once."]
    elif unknown := [str(u) for u in chosen if str(u) not in by_uuid]:
        errors["services"] = [f"Unknown service: {u}" for u in unknown]
    totals = {field: parse_money(body, field, errors) for field in ("price", "tax", "gross")}
    if "services" not in errors:
        picked = [by_uuid[str(u)] for u in chosen]
        for field, value in totals.items():
            expected = sum((getattr(s, field) for s in picked), Decimal("0"))
            if value is not None and value != expected:
                errors[field] = [f"The {field} must be {expected:.2f}, the sum of the services."]
    return {"services": chosen}, errors


KEY_CONFLICT = (
    "This Idempotency-Key was already used with different parameters; "
    "a key may only be reused with the same request."
)


def registered(registration) -> tuple[Response, int]:
    """The answer for a registration: the order's uuid, or a 422 for a key conflict."""
    if registration.uuid is None:
        errors = {"idempotency_key": [KEY_CONFLICT]}
        return jsonify(message=KEY_CONFLICT, errors=errors), 422
    return jsonify(uuid=registration.uuid), 200 if registration.replayed else 201


@bp.post("/api/order")
@provider_endpoint("order_create", "order_token")
def register_order():
    """As Stripe does it: a known key answers as the first time (before any validation); a key
    is kept only once the order is registered, so a rejected request can be sent again."""
    try:
        body = json.loads(request.get_data(as_text=True) or "null", parse_float=Decimal)
    except ValueError:
        body = None
    key = request.headers.get("Idempotency-Key")
    if isinstance(body, dict) and (earlier := store().replay(key, body)) is not None:
        return registered(earlier)
    order, errors = validate_order(body)
    if errors:
        return jsonify(message="The given data was invalid.", errors=errors), 422
    return registered(store().register(key, body, order))


def current_state(order: dict) -> str:
    if order.get("forced_state"):
        return order["forced_state"]
    elapsed = time.time() - float(order["created"])
    processing = knob("processing_seconds", settings().processing_seconds)
    if elapsed >= processing:
        return "done"
    return "new" if elapsed < processing / 4 else "processing"


@bp.get("/api/order/<order_uuid>")
@provider_endpoint("order_state", "order_token")
def order_state(order_uuid: str):
    try:
        uuid.UUID(order_uuid)
    except ValueError:
        abort(404)
    order = store().order(order_uuid)
    if order is None:
        return jsonify(message="Order not found."), 404
    return jsonify(uuid=order_uuid, state=current_state(order))
