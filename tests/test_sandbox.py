"""The sandbox keeps to the provider's contract (docs/provider-api.md)."""

import subprocess
import sys
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import requests

from app.config import TestConfig
from tests.support.processes import closed_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent

CATALOG = {"Authorization": "Bearer sandbox-catalog-token", "Accept": "application/json"}
ORDERS = {"Authorization": "Bearer sandbox-order-token", "Accept": "application/json"}


@pytest.fixture
def api(sandbox_url, sandbox):
    sandbox.reset()
    session = requests.Session()

    def call(method, path, headers=ORDERS, **kwargs):
        return session.request(method, sandbox_url + path, headers=headers, timeout=5, **kwargs)

    return call


def catalog_page(api, page):
    response = api("GET", f"/api/service?page={page}", headers=CATALOG)
    assert response.status_code == 200
    return response.json()


def all_services(api):
    return [item for page in (1, 2, 3) for item in catalog_page(api, page)["data"]]


def order_body(services):
    total = {f: sum(Decimal(str(s[f])) for s in services) for f in ("price", "tax", "gross")}
    return {"services": [s["uuid"] for s in services], **{k: float(v) for k, v in total.items()}}


def test_catalog_has_45_services_over_3_pages_of_20(api):
    pages = [catalog_page(api, page) for page in (1, 2, 3, 4)]
    assert [len(p["data"]) for p in pages] == [20, 20, 5, 0]
    assert pages[0]["pagination"] == {"page": 1, "pageSize": 20, "totalCount": 45}
    uuids = [item["uuid"] for p in pages for item in p["data"]]
    assert len(set(uuids)) == 45 and all(uuid.UUID(u) for u in uuids)


def test_catalog_is_deterministic_with_cents_nulls_and_string_money(api):
    first, second = all_services(api), all_services(api)
    assert first == second
    assert any(item.get("description", "missing") is None for item in first)
    assert any(item.get("image", "missing") is None for item in first)
    assert any("description" not in item for item in first)
    assert any(isinstance(item["price"], str) for item in first)
    assert any(isinstance(item["price"], float) for item in first)
    for item in first:
        price, tax, gross = (Decimal(str(item[f])) for f in ("price", "tax", "gross"))
        assert tax == (price * Decimal("0.22")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert gross == price + tax
    assert any(Decimal(str(item["price"])) % 1 for item in first)


def test_catalog_images_are_served(api):
    image = next(item["image"] for item in all_services(api) if item.get("image"))
    response = requests.get(image, timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(
        "image/svg+xml"
    )


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, ORDERS])
def test_catalog_needs_its_token(api, headers):
    assert api("GET", "/api/service", headers=headers).status_code == 401


def test_orders_need_their_token(api):
    assert api("POST", "/api/order", headers=CATALOG, json={}).status_code == 401
    assert api("GET", f"/api/order/{uuid.uuid4()}", headers={}).status_code == 401


def test_register_returns_a_uuid(api, sandbox):
    response = api("POST", "/api/order", json=order_body(all_services(api)[:3]))
    assert response.status_code == 201
    assert uuid.UUID(response.json()["uuid"])
    assert sandbox.stats()["orders_registered"] == 1


@pytest.mark.parametrize(
    "change,field",
    [
        (lambda body: body.update(services=[]), "services"),
        (lambda body: body.update(services=[str(uuid.uuid4())]), "services"),
        (lambda body: body.update(services=body["services"] * 2), "services"),
        (lambda body: body.update(price=body["price"] + 0.01), "price"),
        (lambda body: body.update(gross="abc"), "gross"),
        (lambda body: body.pop("tax"), "tax"),
    ],
)
def test_register_rejects_invalid_orders_with_422(api, sandbox, change, field):
    body = order_body(all_services(api)[:2])
    change(body)
    response = api("POST", "/api/order", json=body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert sandbox.stats()["orders_registered"] == 0


def test_register_rejects_a_body_that_is_not_json(api):
    response = api("POST", "/api/order", data="<html>", headers={**ORDERS, "X": "1"})
    assert response.status_code == 422


def test_idempotency_key_returns_the_same_uuid(api, sandbox):
    body = order_body(all_services(api)[:2])
    key = {**ORDERS, "Idempotency-Key": str(uuid.uuid4())}
    first = api("POST", "/api/order", headers=key, json=body).json()["uuid"]
    second = api("POST", "/api/order", headers=key, json=body).json()["uuid"]
    replay = api("POST", "/api/order", headers=key, json=body)
    other = api("POST", "/api/order", json=body).json()["uuid"]
    assert replay.status_code == 200 and first == second == replay.json()["uuid"] != other
    assert sandbox.stats()["orders_registered"] == 2
    assert sandbox.stats()["order_create"] == 4


def test_a_key_reused_with_other_parameters_is_refused_with_422(api, sandbox):
    services = all_services(api)
    key = {**ORDERS, "Idempotency-Key": str(uuid.uuid4())}
    first = api("POST", "/api/order", headers=key, json=order_body(services[:2]))
    other = api("POST", "/api/order", headers=key, json=order_body(services[2:3]))
    assert first.status_code == 201
    assert other.status_code == 422 and "idempotency_key" in other.json()["errors"]
    assert "different parameters" in other.json()["message"]
    [order] = sandbox.orders()
    assert order["uuid"] == first.json()["uuid"] and order["key"] == key["Idempotency-Key"]
    assert order["services"] == [s["uuid"] for s in services[:2]]
    assert sandbox.stats()["key_conflicts"] == 1


def test_a_rejected_request_does_not_keep_its_key(api, sandbox):
    body = order_body(all_services(api)[:2])
    key = {**ORDERS, "Idempotency-Key": str(uuid.uuid4())}
    rejected = api("POST", "/api/order", headers=key, json={**body, "price": 0})
    assert rejected.status_code == 422 and "price" in rejected.json()["errors"]
    assert api("POST", "/api/order", headers=key, json=body).status_code == 201
    assert sandbox.stats()["key_conflicts"] == 0


def test_a_fault_after_the_work_registers_first_then_answers(api, sandbox):
    sandbox.set_knobs(request_log=1)
    sandbox.add_faults("order_create", {"after": True, "status": 502, "delay": 0.2})
    key = {**ORDERS, "Idempotency-Key": str(uuid.uuid4())}
    started = time.monotonic()
    failed = api("POST", "/api/order", headers=key, json=order_body(all_services(api)[:1]))
    assert failed.status_code == 502 and time.monotonic() - started >= 0.2
    [order] = sandbox.orders()
    assert order["key"] == key["Idempotency-Key"]
    [seen] = sandbox.requests("order_create")
    assert seen["key"] == key["Idempotency-Key"] and seen["fault"]["status"] == 502


def test_state_moves_from_new_to_processing_to_done(api, sandbox):
    """An order is new for the first quarter of `processing_seconds`, then processing, then
    done. Each state is asked for under a knob that puts the order's age well inside it, so
    no state passes by between two questions."""
    body = order_body(all_services(api)[:1])
    sandbox.set_knobs(processing_seconds=24 * 3600)
    order_uuid = api("POST", "/api/order", json=body).json()["uuid"]
    registered = time.time()  # the order is at least this old (same clock as the sandbox)

    def state() -> str:
        response = api("GET", f"/api/order/{order_uuid}")
        assert response.status_code == 200
        return response.json()["state"]

    assert state() == "new"
    wait_until(lambda: time.time() - registered >= 2, seconds=10)
    # Four times its least age: a quarter of it is passed, the whole of it is 6 s away at least.
    sandbox.set_knobs(processing_seconds=4 * (time.time() - registered))
    assert state() == "processing"
    sandbox.set_knobs(processing_seconds=0.001)
    assert state() == "done"


def test_unknown_order_is_404(api):
    assert api("GET", f"/api/order/{uuid.uuid4()}").status_code == 404
    assert api("GET", "/api/order/not-a-uuid").status_code == 404


def test_forced_state_and_queued_faults(api, sandbox):
    order_uuid = api("POST", "/api/order", json=order_body(all_services(api)[:1])).json()["uuid"]
    sandbox.force_state(order_uuid, "Cancelled")
    sandbox.add_faults("order_state", {"status": 503, "retry_after": 7})
    failed = api("GET", f"/api/order/{order_uuid}")
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "7"
    assert api("GET", f"/api/order/{order_uuid}").json()["state"] == "Cancelled"
    assert sandbox.stats()["order_state"] == 2


def test_latency_knob_slows_answers(api, sandbox):
    sandbox.set_knobs(latency_ms=200)
    started = time.monotonic()
    api("GET", "/api/service", headers=CATALOG)
    assert time.monotonic() - started >= 0.2


def test_malformed_knob_adds_bad_items_to_page_one(api, sandbox):
    sandbox.set_knobs(catalog_malformed=1)
    items = catalog_page(api, 1)["data"]
    assert len(items) == 23 and any("uuid" not in item for item in items)


def test_the_documented_command_serves_the_sandbox(tmp_path):
    """`python -m app.sandbox` starts the top-level sandbox package, as tools expect."""
    port = closed_port()
    command = [sys.executable, "-m", "app.sandbox", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--redis-url", TestConfig.REDIS_URL, "--prefix", "sandbox-command"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        stats = wait_until(lambda: answer(f"http://127.0.0.1:{port}/_sandbox/stats"), seconds=20)
        assert stats["catalog"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def answer(url: str) -> dict | None:
    try:
        return requests.get(url, timeout=1).json()
    except requests.RequestException:
        return None
