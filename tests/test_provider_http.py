"""One HTTP foundation under both clients: the same failure of the real sandbox is the same
kind of error for the catalog and the order service, and every call of either is recorded in
the metrics and in the recent calls the console's health page reads."""

import uuid

import pytest

from app.catalog.client import catalog_http, fetch_catalog
from app.extensions import get_redis
from app.metrics import recent
from app.orders.provider import get_order_client
from app.provider_http import ProviderError, flush_recent_calls
from tests.support.metrics import moved, scrape
from tests.support.processes import closed_port

P = "clicktomice"
# Long enough for the sandbox's other answers on a busy machine; its "timeout" answers later.
READ_TIMEOUT = 2.0
KNOWN = uuid.uuid4()  # an order the sandbox holds, for the order service's state endpoint

# Each client: its service label, its sandbox endpoint, and one call of it.
CLIENTS = {
    "catalog": ("catalog", "page", fetch_catalog),
    "order_service": ("order_state", "state", lambda: get_order_client().state(KNOWN)),
}
FAULTS = {
    "server_error": [{"status": 503}],
    "rate_limited": [{"status": 429, "retry_after": 7}],
    "timeout": [{"delay": READ_TIMEOUT + 0.5}],
    "bad_answer": [{"status": 200, "body": "<html>not json</html>", "mimetype": "text/html"}],
    "rejected": [{"status": 422, "body": '{"message": "No."}'}],
    "not_found": [{"status": 404}],
}


@pytest.fixture
def app(make_app):
    app = make_app(HTTP_READ_TIMEOUT=READ_TIMEOUT)
    with app.app_context():
        yield app


def recent_errors() -> tuple[int, int]:
    """The calls and failed calls of the last minutes, as the health page reads them."""
    flush_recent_calls()
    health = recent.read(get_redis())
    return health.calls, health.errors


def failure_of(call) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("service", sorted(CLIENTS))
@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_the_same_failure_is_the_same_kind_and_recorded(client, sandbox, service, kind):
    endpoint, label, call = CLIENTS[service]
    sandbox.seed_orders([KNOWN])
    sandbox.add_faults(endpoint, *FAULTS[kind])
    before, calls_before = scrape(client), recent_errors()

    error = failure_of(call)

    after, calls_after = scrape(client), recent_errors()
    assert error.kind == kind
    assert moved(before, after, f"{P}_provider_errors_total", service=service, kind=kind) == 1
    duration = f"{P}_provider_request_duration_seconds_count"
    assert moved(before, after, duration, service=service, endpoint=label) == 1
    assert (calls_after[0] - calls_before[0], calls_after[1] - calls_before[1]) == (1, 1)


@pytest.mark.parametrize("service", sorted(CLIENTS))
def test_a_refused_connection_is_the_same_kind_for_both(make_app, service):
    nobody = f"http://127.0.0.1:{closed_port()}"
    app = make_app(CATALOG_SERVICES_BASE_URL=nobody, ORDER_SERVICE_BASE_URL=nobody)
    with app.app_context():
        error = failure_of(CLIENTS[service][2])
    assert error.kind == "connection" and not error.outcome_unknown


@pytest.mark.parametrize("service", sorted(CLIENTS))
def test_an_answered_call_is_recorded_as_one_call_without_error(client, sandbox, service):
    sandbox.seed_orders([KNOWN])
    sandbox.serve_catalog_page([])
    calls_before = recent_errors()
    CLIENTS[service][2]()
    calls_after = recent_errors()
    assert (calls_after[0] - calls_before[0], calls_after[1] - calls_before[1]) == (1, 0)


def test_both_sessions_are_built_alike(app):
    catalog, orders = catalog_http().session, get_order_client().http.session
    for session, token in ((catalog, "sandbox-catalog-token"), (orders, "sandbox-order-token")):
        assert session.headers["Authorization"] == f"Bearer {token}"
        assert session.headers["Accept"] == "application/json"
        assert not session.trust_env  # the environment is read once, not on every request
    assert catalog_http().timeout == get_order_client().http.timeout == (1.0, READ_TIMEOUT)
