"""Every route, every odd input, as a stranger and as a logged-in customer (and every console
route as an operator): never a 5xx, and another customer's orders, items, events, account and
sessions stay exactly as they were."""

import itertools
import re
from collections import Counter

import pytest
from sqlalchemy import text

from app.auth.sessions import start_session
from app.extensions import db
from app.ops import PREFIX as OPS_PREFIX
from app.orders.drafts import create_draft
from app.orders.transitions import transition
from tests.fuzz_inputs import OPS_PARAMETERS, PARAMETERS, all_inputs

MIN_INPUTS_PER_ROUTE = 100
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}
VICTIM_TABLES = {
    "users": "SELECT * FROM users WHERE id = :user ORDER BY id",
    "user_sessions": "SELECT * FROM user_sessions WHERE user_id = :user ORDER BY id",
    "orders": "SELECT * FROM orders WHERE user_id = :user ORDER BY id",
    "order_items": "SELECT i.* FROM order_items i JOIN orders o ON o.id = i.order_id "
    "WHERE o.user_id = :user ORDER BY i.id",
    "order_events": "SELECT e.* FROM order_events e JOIN orders o ON o.id = e.order_id "
    "WHERE o.user_id = :user ORDER BY e.id",
}


def orders_in_every_status(user_id: int, services) -> list:
    """A draft, an order in processing and a cancelled one, for this user."""
    draft = create_draft(user_id, [services[0].uuid, services[1].uuid])
    sent = create_draft(user_id, [services[2].uuid])
    cancelled = create_draft(user_id, [services[3].uuid])
    for order in (sent, cancelled):
        transition(order.id, "draft", "sending")
        transition(order.id, "sending", "in_processing")
    transition(cancelled.id, "in_processing", "cancelled")
    db.session.commit()
    return [draft, sent, cancelled]


def snapshot(user_id: int) -> dict:
    db.session.expire_all()
    return {
        name: [tuple(row) for row in db.session.execute(text(query), {"user": user_id})]
        for name, query in VICTIM_TABLES.items()
    }


def sign_in(client, user, token: str | None = None) -> str:
    """A logged-in session cookie for `user`, made without the password (the fuzz must not trip
    the login limit): the session `token`, or a new one."""
    token = token or start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


def routes(app, prefix: str = "/") -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route the app serves under `prefix`."""
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix)
        for method in sorted(rule.methods - AUTOMATIC_METHODS)
    )


def fill(rule: str, ids: itertools.cycle) -> str:
    """The rule's URL with its variable parts filled: order ids (own and another customer's),
    odd file names."""

    def value(match: re.Match) -> str:
        if match.group(0).startswith("<uuid:"):
            return str(next(ids))
        return next(FILE_NAMES)

    return re.sub(r"<[^>]+>", value, rule)


FILE_NAMES = itertools.cycle(
    ["app.css", "../config.py", "..%2f..%2fapp%2fconfig.py", "%00", "a" * 3000, "htmx.js\x00.css"]
)


class Fuzzer:
    def __init__(self, app, client, order_ids, user=None, parameters=PARAMETERS, prefix="/"):
        self.app, self.client, self.user = app, client, user
        self.inputs, self.prefix = all_inputs(parameters), prefix
        self.ids = itertools.cycle(order_ids)
        self.token = None
        self.tried: Counter = Counter()
        self.server_errors: list[str] = []

    def run(self) -> None:
        for endpoint, method, rule in routes(self.app, self.prefix):
            for odd in self.inputs:
                self.send(endpoint, method, fill(rule, self.ids), dict(odd))

    def send(self, endpoint: str, method: str, url: str, odd: dict) -> None:
        label = odd.pop("label")
        odd.setdefault("method", method)
        if self.user is not None:
            # The cookie again before each input, since an input may replace it.
            self.token = sign_in(self.client, self.user, self.token)
        self.tried[endpoint] += 1
        if (failure := self.failure(endpoint, url, odd)) is not None:
            self.server_errors.append(f"{failure} {odd['method']} {url[:60]} [{label}]")
        if endpoint == "auth.logout":
            self.token = None  # that input may have ended the login: the next one makes another

    def failure(self, endpoint: str, url: str, odd: dict) -> str | None:
        """How the server failed this input, or None if it answered below 500 (or with the
        readiness report's 503: no worker runs during the fuzz, so /readyz says not ready)."""
        try:
            response = self.client.open(url, **odd)
        except Exception as error:  # escaped every handler: a server would answer 500
            return f"500 ({type(error).__name__} escaped)"
        response.close()
        if endpoint == "health.readyz" and response.status_code == 503 and self.not_ready(url):
            return None
        return str(response.status_code) if response.status_code >= 500 else None

    def not_ready(self, url: str) -> bool:
        """/readyz's 503 is its report (a HEAD has no body: read it with a GET); anyone but an
        operator or the metrics token gets only its status."""
        body = self.client.get(url).get_json(silent=True)
        return body == {"status": "not ready"}


@pytest.fixture
def victim(factory, services):
    """Another customer, logged in elsewhere, with orders in several statuses."""
    user = factory.user(email="victim@example.com", password="victim-password")
    orders = orders_in_every_status(user.id, services)
    return user, orders


def fuzz(app, client, victim, own_orders, user=None, **inputs) -> Fuzzer:
    victim_user, victim_orders = victim
    victim_client = app.test_client()
    sign_in(victim_client, victim_user)
    before = snapshot(victim_user.id)
    ids = [order.id for order in [*own_orders, *victim_orders]]
    fuzzer = Fuzzer(app, client, ids, user, **inputs)
    fuzzer.run()
    print(f"\nfuzz: {sum(fuzzer.tried.values())} inputs, {len(fuzzer.server_errors)} 5xx")
    assert not fuzzer.server_errors, "\n".join(fuzzer.server_errors)
    assert snapshot(victim_user.id) == before
    assert victim_client.get("/").status_code == 200
    assert min(fuzzer.tried.values()) >= MIN_INPUTS_PER_ROUTE
    assert set(fuzzer.tried) == {endpoint for endpoint, _, _ in routes(app, fuzzer.prefix)}
    return fuzzer


def test_fuzz_as_a_stranger(app, client, victim):
    fuzz(app, client, victim, own_orders=[])


def test_fuzz_as_a_logged_in_customer(app, client, user, services, victim):
    own = orders_in_every_status(user.id, services)
    fuzz(app, client, victim, own_orders=own, user=user)


def test_fuzz_as_an_operator_in_the_console(app, client, operator, victim):
    """The console's filters and actions; the victim's orders are in no state that an
    operator's action would change, so they too stay the same."""
    fuzz(
        app,
        client,
        victim,
        own_orders=[],
        user=operator,
        parameters=OPS_PARAMETERS,
        prefix=OPS_PREFIX,
    )
