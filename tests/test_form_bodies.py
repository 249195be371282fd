"""Every form endpoint takes a web form of texts in UTF-8 and refuses every other body shape
with a 4xx that says why, as a stranger, a customer and an operator, and changes nothing.

CSRF protection is on, and every odd body carries a valid token in its header, as an attacker
with a session of their own would send it: the refusals are the form body rule's, not CSRF's.
"""

import re
import uuid

import pytest
from sqlalchemy import text

from app.extensions import db, get_redis
from app.models import Order, OrderStatus
from app.orders.drafts import create_draft
from tests.support.auth import EMAIL, PASSWORD
from tests.support.bodies import odd_shapes, text_parts, urlencoded

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
TABLES = [
    *("users", "user_sessions", "orders", "order_items", "order_events", "provider_calls"),
    *("api_tokens", "webhook_endpoints"),
]
REFUSALS = {
    415: ["Send this form as a web form, in UTF-8."],
    400: [
        "This form takes text only, not files.",
        "The form has characters that are not UTF-8.",
        "The form could not be read.",
        "Your form expired or was sent from elsewhere.",  # the empty body: no token at all
    ],
}
OPERATOR_PASSWORD = "ops-secret"
NO_SUCH = "00000000-0000-4000-8000-0000000000aa"


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def token_of(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def log_in(client, email: str, password: str) -> str:
    """Log in through the form, CSRF token and all; the token to send afterwards."""
    data = {"email": email, "password": password, "csrf_token": token_of(client, "/login")}
    assert client.post("/login", data=data).status_code == 302
    return token_of(client, "/account")


def forms(order_id: uuid.UUID, services) -> dict[str, dict]:
    """Every form endpoint's URL, with the fields it takes as a plain web form."""
    order, back = f"/orders/{order_id}", {"next": "/"}
    drawn = {**back, "revision": "1"}  # a draft's actions say which revision they were drawn from
    console = f"/ops/orders/{order_id}"
    hook = f"/account/webhooks/{NO_SUCH}"  # no such endpoint: refused as any odd body is
    return {
        "/login": {"email": EMAIL, "password": PASSWORD},
        "/logout": {},
        "/account/password": {
            "current_password": PASSWORD,
            "new_password": "another-password",
            "repeat_password": "another-password",
        },
        "/account/sessions/end-others": {},
        "/language": {"locale": "ru", "next": "/catalog"},
        "/orders/new": {"services": [services[0].uuid, services[1].uuid]},
        f"{order}/edit": {"services": [services[2].uuid], "revision": "1"},
        f"{order}/send": drawn,
        f"{order}/cancel": back,
        f"{order}/delete": drawn,
        f"{order}/order-again": {},
        f"{console}/retry-send": {},
        f"{console}/recheck": {},
        f"{console}/resolve": {
            "note": "Found at the provider.",
            "external_uuid": str(uuid.uuid4()),
        },
        "/ops/queues/failed/some-job/requeue": {},
        "/ops/queues/failed/some-job/delete": {},
        "/account/tokens": {"name": "Shop", "scope": "read", "expires": ""},
        "/account/tokens/1/revoke": {},
        "/ops/tokens/1/revoke": {"customer": ""},
        f"{console}/acknowledge": {"note": "The provider finished it after the cancel."},
        "/account/webhooks": {"url": "https://example.com/hooks", "event_types": "order.done"},
        f"{hook}/rotate": {},
        f"{hook}/disable": {},
        f"{hook}/enable": {},
        f"{hook}/delete": {},
        f"{hook}/test": {},
        f"/account/webhooks/events/{NO_SUCH}/again": {},
    }


def state() -> dict:
    """Every row a form could change, and the job queues."""
    db.session.expire_all()
    rows = {
        table: sorted(map(tuple, db.session.execute(text(f"SELECT * FROM {table}"))), key=str)
        for table in TABLES
    }
    queues = {key: get_redis().llen(key) for key in get_redis().scan_iter("rq:queue:*")}
    return {**rows, "queues": queues}


@pytest.fixture
def draft_order(user, services):
    return create_draft(user.id, [services[0].uuid, services[1].uuid])


def test_the_forms_here_are_every_form_endpoint(app, draft_order, services):
    endpoints = {  # the API's take JSON, by its own rule (tests/api/test_conventions.py)
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.endpoint.startswith("api.")
    }
    urls = app.url_map.bind("localhost")
    covered = {urls.match(path, method="POST")[0] for path in forms(draft_order.id, services)}
    assert covered == endpoints


class OddBodies:
    """Sends every odd body to every form endpoint from one client; collects wrong answers."""

    def __init__(self, client, token: str, operator: bool):
        self.client, self.token, self.operator = client, token, operator
        self.problems: list[str] = []

    def send_all(self, order_id: uuid.UUID, services) -> list[str]:
        for path, fields in forms(order_id, services).items():
            for label, kwargs, expected in odd_shapes({**fields, "csrf_token": self.token}):
                self.send(path, label, kwargs, expected, {"X-CSRFToken": self.token})
            self.send(path, "empty body", {"data": b""}, 400, {})
        return self.problems

    def send(self, path: str, label: str, kwargs: dict, expected: int, headers: dict) -> None:
        if path.startswith("/ops/") and not self.operator:
            expected = 404  # the console is not there for anyone else
        response = self.client.post(path, headers=headers, **kwargs)
        page = response.get_data(as_text=True)
        said = expected == 404 or any(message in page for message in REFUSALS[expected])
        if response.status_code != expected or not said:
            self.problems.append(f"{path} [{label}]: {response.status_code}, not {expected}")


@pytest.mark.parametrize("role", ["stranger", "customer", "operator"])
def test_every_other_body_is_refused_and_changes_nothing(
    app, client, user, operator, draft_order, services, role
):
    if role == "stranger":
        token = token_of(client, "/login")
    elif role == "customer":
        token = log_in(client, EMAIL, PASSWORD)
    else:
        token = log_in(client, operator.email, OPERATOR_PASSWORD)
    before = state()
    problems = OddBodies(client, token, role == "operator").send_all(draft_order.id, services)
    assert problems == [], "\n".join(problems[:30])
    assert state() == before
    assert client.get_cookie("locale") is None
    if role != "stranger":
        assert client.get("/account").status_code == 200  # still logged in


def test_web_forms_in_either_encoding_are_taken(client, user, services):
    token = token_of(client, "/login")
    login = text_parts({"email": f" {EMAIL.upper()} ", "password": PASSWORD, "csrf_token": token})
    assert client.post("/login", **login).status_code == 302
    token = token_of(client, "/account")
    new = text_parts({"services": [services[0].uuid], "csrf_token": token})
    created = client.post("/orders/new", **new)
    assert created.status_code == 303
    order_id = uuid.UUID(created.headers["Location"].rsplit("/", 1)[-1])
    switch = urlencoded(
        {"locale": "ru", "next": "/", "csrf_token": token},
        "application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert client.post("/language", **switch).status_code == 303
    assert client.get_cookie("locale").value == "ru"
    # htmx's button: no body at all, the token in its header.
    sent = client.post(f"/orders/{order_id}/send", headers={"X-CSRFToken": token})
    assert sent.status_code == 303
    assert db.session.get(Order, order_id).status == OrderStatus.SENDING


def test_htmx_gets_the_refusal_in_place_in_its_language(client, user, draft_order):
    token = log_in(client, EMAIL, PASSWORD)
    headers = {
        "X-CSRFToken": token,
        "HX-Request": "true",
        "HX-Target": f"order-{draft_order.id}",
        "Accept-Language": "ru",
    }
    response = client.post(f"/orders/{draft_order.id}/send", headers=headers, json={"next": 1})
    assert response.status_code == 415
    assert response.headers["HX-Retarget"] == "#flash"
    page = response.get_data(as_text=True)
    assert "Отправьте эту форму как веб-форму, в кодировке UTF-8." in page
    assert "<html" not in page
    assert db.session.get(Order, draft_order.id).status == OrderStatus.DRAFT
