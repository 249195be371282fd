"""Every order route: another user's order is a 404, anonymous requests go to login."""

import re
import uuid

import pytest

from app.extensions import db
from app.models import Order
from app.orders.drafts import create_draft

ORDER_ROUTES = [
    ("GET", "/orders/{id}"),
    ("GET", "/orders/{id}/edit"),
    ("POST", "/orders/{id}/edit"),
    ("GET", "/orders/{id}/delete"),
    ("POST", "/orders/{id}/delete"),
    ("POST", "/orders/{id}/send"),
    ("GET", "/orders/{id}/cancel"),
    ("POST", "/orders/{id}/cancel"),
]
HTMX = {"HX-Request": "true", "HX-Target": "order-summary"}


@pytest.fixture
def strangers_order(factory, services):
    stranger = factory.user()
    return create_draft(stranger.id, [services[0].uuid])


def order_count() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(Order))


@pytest.mark.parametrize("method,route", ORDER_ROUTES)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_another_users_order_is_404(client, logged_in, strangers_order, method, route, headers):
    url = route.format(id=strangers_order.id)
    response = client.open(url, method=method, headers=headers, data={"services": []})
    assert response.status_code == 404
    assert order_count() == 1
    db.session.refresh(strangers_order)
    assert strangers_order.status == "draft" and len(strangers_order.items) == 1


@pytest.mark.parametrize("method,route", ORDER_ROUTES)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", str(uuid.uuid4()), "' OR 1=1 --"])
def test_bad_or_unknown_ids_are_404(client, logged_in, method, route, bad_id):
    response = client.open(route.format(id=bad_id), method=method)
    assert response.status_code == 404


PAGES = ["/", "/orders/new", "/orders/totals", "/catalog"]


@pytest.mark.parametrize("method,route", ORDER_ROUTES + [("GET", p) for p in PAGES])
def test_anonymous_requests_go_to_login(client, strangers_order, method, route):
    response = client.open(route.format(id=strangers_order.id), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert order_count() == 1


def test_state_changes_need_the_csrf_token(make_app, user, services):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    login = {"email": "test@gmail.com", "password": "qwe123", "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    chosen = {"services": [services[0].uuid]}
    assert client.post("/orders/new", data=chosen).status_code == 400
    assert order_count() == 0
    created = client.post("/orders/new", data={**chosen, "csrf_token": token})
    assert created.status_code == 303
    order_url = created.headers["Location"]
    for action in ("send", "delete", "edit"):
        response = client.post(f"{order_url}/{action}", headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert b"form expired" in response.data
    sent = client.post(f"{order_url}/send", headers={"X-CSRFToken": token})
    assert sent.status_code == 303
