"""Every /ops route is a 404 for customers and strangers, works for operators, and operator
actions need a CSRF token and land on the timeline with the operator's name."""

import re
import uuid

import pytest

from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus
from tests.support.auth import PASSWORD
from tests.support.orders import insert_orders

ORDER_ID = "00000000-0000-4000-8000-000000000001"
PAGES = ["/ops", "/ops/", "/ops/health", "/ops/queues", f"/ops/orders/{ORDER_ID}"]
ACTIONS = [
    f"/ops/orders/{ORDER_ID}/retry-send",
    f"/ops/orders/{ORDER_ID}/recheck",
    f"/ops/orders/{ORDER_ID}/resolve",
    "/ops/queues/failed/some-job/requeue",
    "/ops/queues/failed/some-job/delete",
]
EVERY_PATH = [
    *[("GET", path) for path in PAGES],
    *[("POST", path) for path in ACTIONS],
    ("POST", "/ops/"),  # a method the route does not take
    ("GET", "/ops/no-such-page"),
    ("DELETE", "/ops/health"),
]


@pytest.fixture
def an_order(factory):
    customer = factory.user()
    order_id, _ = insert_orders(customer.id, 1)[0]
    db.session.execute(db.update(Order).where(Order.id == order_id).values(id=uuid.UUID(ORDER_ID)))
    db.session.commit()
    return uuid.UUID(ORDER_ID)


def not_found_page(response) -> bool:
    text = response.get_data(as_text=True)
    return response.status_code == 404 and "There is nothing here" in text


@pytest.mark.parametrize("method,path", EVERY_PATH)
def test_strangers_get_404_everywhere(client, an_order, method, path):
    assert not_found_page(client.open(path, method=method))


@pytest.mark.parametrize("method,path", EVERY_PATH)
def test_customers_get_404_everywhere(client, logged_in, an_order, method, path):
    response = client.open(path, method=method, data={"note": "x"})
    assert not_found_page(response)
    db.session.expire_all()
    assert db.session.get(Order, an_order).status == OrderStatus.IN_PROCESSING
    assert db.session.scalar(db.select(db.func.count()).select_from(OrderEvent)) == 0


@pytest.mark.parametrize("method,path", EVERY_PATH)
def test_customers_get_404_before_the_csrf_check(make_app, user, an_order, method, path):
    """With CSRF protection on, as in production: no token still answers 404, not 400."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    data = {"email": user.email, "password": PASSWORD, "csrf_token": page_token(client, "/login")}
    assert client.post("/login", data=data).status_code == 302
    assert not_found_page(client.open(path, method=method, data={"note": "x"}))


def test_customers_see_no_operations_link(client, logged_in):
    assert "/ops" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_operators_see_every_page(operator_client, an_order, path):
    response = operator_client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert 'aria-label="Operations"' in response.get_data(as_text=True)


def test_operators_see_the_operations_link(operator_client):
    assert 'href="/ops/"' in operator_client.get("/").get_data(as_text=True)


def test_a_revoked_operator_gets_404(operator_client, operator):
    operator.is_operator = False
    db.session.commit()
    assert not_found_page(operator_client.get("/ops/"))


def test_an_unknown_order_is_404_for_operators(operator_client):
    assert operator_client.get(f"/ops/orders/{uuid.uuid4()}").status_code == 404
    assert operator_client.get("/ops/orders/not-a-uuid").status_code == 404
    assert operator_client.post(f"/ops/orders/{uuid.uuid4()}/recheck").status_code == 404


@pytest.fixture
def csrf_operator(make_app, operator):
    """An operator's client on an app with CSRF protection on, as in production."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = page_token(client, "/login")
    data = {"email": operator.email, "password": "ops-secret", "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    return client


def page_token(client, path: str) -> str:
    """The CSRF token in a page's forms (the login form renders its attributes in another order)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_operator_actions_need_the_csrf_token(csrf_operator, an_order, sandbox):
    path = f"/ops/orders/{an_order}"
    refused = csrf_operator.post(f"{path}/recheck")
    assert refused.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(OrderEvent)) == 0
    token = page_token(csrf_operator, path)
    accepted = csrf_operator.post(f"{path}/recheck", data={"csrf_token": token})
    assert accepted.status_code == 303
    note = db.session.scalar(db.select(OrderEvent).where(OrderEvent.order_id == an_order))
    assert note.actor.email == "ops@example.com"
    assert note.reason.startswith("Status re-checked by an operator")
