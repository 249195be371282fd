"""`/metrics` counts what happened, by the right amounts; it is protected in production."""

import pytest

from app.models import OrderStatus
from app.orders.sync import run_sync
from app.queue import get_queue
from tests.support.auth import logged_in_client
from tests.support.environment import PRODUCTION
from tests.support.metrics import moved, parse, scrape, value
from tests.support.ops import send
from tests.support.orders import make_all_due, reload

P = "clicktomice"


def test_a_send_and_a_sync_run_move_their_counters(client, draft, run_jobs, sandbox):
    before = scrape(client)

    order = send(client, draft.id, run_jobs)
    sandbox.force_state(order.external_uuid, "done")
    make_all_due()
    run_sync()

    after = scrape(client)
    assert reload(draft.id).status == OrderStatus.DONE
    assert moved(before, after, f"{P}_order_sends_total", outcome="registered") == 1
    assert moved(before, after, f"{P}_order_sends_total", outcome="unknown") == 0
    assert moved(before, after, f"{P}_sync_runs_total", part="run", outcome="done") == 1
    assert moved(before, after, f"{P}_sync_orders_checked_total") == 1
    assert moved(before, after, f"{P}_sync_orders_changed_total") == 1
    assert moved(before, after, f"{P}_sync_run_duration_seconds_count", part="run") == 1
    for endpoint in ("register", "state"):
        count = f"{P}_provider_request_duration_seconds_count"
        assert moved(before, after, count, service="order_service", endpoint=endpoint) == 1
    send_route = {"method": "POST", "route": "/orders/<uuid:order_id>/send", "status": "303"}
    assert moved(before, after, f"{P}_http_requests_total", **send_route) == 1
    latency = f"{P}_http_request_duration_seconds_count"
    assert moved(before, after, latency, method="POST", route=send_route["route"]) == 1


def test_provider_errors_are_counted_by_kind(client, draft, run_jobs, sandbox):
    before = scrape(client)
    sandbox.add_faults("order_create", {"status": 503}, {"status": 429})
    order = send(client, draft.id, run_jobs)  # 503, 429, then registered on the next retry
    sandbox.reset()  # the provider forgets the order: the next check is a 404
    make_all_due()
    run_sync()

    after = scrape(client)
    assert order.status == OrderStatus.IN_PROCESSING
    sends = f"{P}_order_sends_total"
    assert moved(before, after, sends, outcome="unknown") == 1  # a 503: it may have it
    assert moved(before, after, sends, outcome="retried") == 1  # a 429: surely not
    assert moved(before, after, sends, outcome="registered") == 1
    errors = f"{P}_provider_errors_total"
    assert moved(before, after, errors, service="order_service", kind="server_error") == 1
    assert moved(before, after, errors, service="order_service", kind="rate_limited") == 1
    assert moved(before, after, errors, service="order_service", kind="not_found") == 1


def test_a_rejected_send_is_counted(client, draft, run_jobs, sandbox):
    before = scrape(client)
    sandbox.add_faults("order_create", {"status": 422})
    order = send(client, draft.id, run_jobs)
    after = scrape(client)
    assert order.status == OrderStatus.DRAFT
    assert moved(before, after, f"{P}_order_sends_total", outcome="rejected") == 1
    errors = f"{P}_provider_errors_total"
    assert moved(before, after, errors, service="order_service", kind="rejected") == 1


def test_queue_depth_is_read_at_scrape_time(client, app):
    for _ in range(3):
        get_queue().enqueue("app.orders.jobs.sync_orders")
    samples = scrape(client)
    assert value(samples, f"{P}_queue_depth", queue="default") == 3
    assert value(samples, f"{P}_queue_depth", queue="sends") == 0
    assert value(samples, f"{P}_queue_oldest_job_age_seconds", queue="default") >= 0


def test_open_live_streams_are_counted(make_app, user):
    app = make_app(LIVE_STREAM_SECONDS=5)
    client = logged_in_client(app)
    stream_name = f"{P}_live_streams_open"
    start = value(scrape(client), stream_name)
    response = client.get("/orders/events", buffered=False)
    next(iter(response.response))  # the stream has started
    assert value(scrape(client), stream_name) == start + 1
    response.close()
    assert value(scrape(client), stream_name) == start


@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 401), ("Bearer wrong", 401), ("Bearer s3cret-token", 200), ("s3cret-token", 401)],
)
def test_a_metrics_token_is_required_when_set(make_app, header, status):
    client = make_app(METRICS_TOKEN="s3cret-token").test_client()
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == status
    if status == 200:
        assert f"{P}_http_requests_total" in response.get_data(as_text=True)


def test_production_without_a_token_has_no_metrics_route(make_app):
    tokens = {"CATALOG_SERVICES_API_TOKEN": "t1", "ORDER_SERVICE_API_TOKEN": "t2"}
    client = make_app(
        APP_ENV="production", SECRET_KEY=PRODUCTION["SECRET_KEY"], **tokens
    ).test_client()
    assert client.get("/metrics").status_code == 404


def test_the_exposition_parses(client):
    parsed = parse(client.get("/metrics").get_data(as_text=True))
    assert any(name.startswith(f"{P}_") for name, _ in parsed)
