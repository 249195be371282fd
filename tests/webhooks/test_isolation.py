"""Two accounts never see each other's endpoints or deliveries: another's id is not found,
on the pages and in the functions the API calls."""

import pytest

from app.extensions import db
from app.models import OrderStatus
from app.webhooks import service
from app.webhooks.models import WebhookEndpoint
from tests.support.auth import logged_in_client
from tests.webhooks.conftest import change, register, sending_order


@pytest.fixture
def mine_and_theirs(app, user, factory, receivers, run_jobs):
    theirs = factory.user(email="other@example.com", password="other-secret")
    mine_receiver, their_receiver = receivers(), receivers()
    mine, _ = register(user.id, mine_receiver.url)
    their_endpoint, _ = register(theirs.id, their_receiver.url)
    event = service.fire_test(theirs.id, their_endpoint.id)
    change(sending_order(theirs.id), OrderStatus.SENDING, OrderStatus.IN_PROCESSING)
    run_jobs()
    return user, theirs, mine, their_endpoint, event, mine_receiver, their_receiver


def test_functions_never_reach_another_accounts_endpoints(mine_and_theirs):
    me, theirs, mine, their_endpoint, event, mine_receiver, their_receiver = mine_and_theirs
    assert [e.id for e in service.list_endpoints(me.id)] == [mine.id]
    calls = [
        lambda: service.get_endpoint(me.id, their_endpoint.id),
        lambda: service.update_endpoint(me.id, their_endpoint.id, enabled=False),
        lambda: service.rotate_secret(me.id, their_endpoint.id),
        lambda: service.delete_endpoint(me.id, their_endpoint.id),
        lambda: service.fire_test(me.id, their_endpoint.id),
        lambda: service.list_deliveries(me.id, their_endpoint.id),
        lambda: service.list_events(me.id, their_endpoint.id),
        lambda: service.redeliver(me.id, event.id),
    ]
    for call in calls:
        with pytest.raises(service.NotFound):
            call()
    db.session.expire_all()
    theirs_now = db.session.get(WebhookEndpoint, their_endpoint.id)
    assert theirs_now.enabled and theirs_now.previous_secret is None
    assert mine_receiver.received == []  # their order's change went to them alone
    assert len(their_receiver.received) == 2


def test_pages_never_show_another_accounts_endpoints(app, mine_and_theirs):
    me, theirs, mine, their_endpoint, event, _, their_receiver = mine_and_theirs
    client = logged_in_client(app)
    assert their_receiver.url not in client.get("/account").get_data(as_text=True)
    base = f"/account/webhooks/{their_endpoint.id}"
    assert client.get(base).status_code == 404
    for action in ("rotate", "disable", "enable", "delete", "test"):
        assert client.post(f"{base}/{action}").status_code == 404
    assert client.post(f"/account/webhooks/events/{event.id}/again").status_code == 404
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, their_endpoint.id).enabled
    assert len(service.list_deliveries(theirs.id, their_endpoint.id)) == 2


def test_an_unknown_id_is_a_404(client, logged_in):
    assert client.get("/account/webhooks/not-an-id").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/account/webhooks/{missing}").status_code == 404


def test_logged_out_visitors_are_sent_to_the_login(client, user):
    response = client.post("/account/webhooks", data={"url": "https://example.com"})
    assert response.status_code in (302, 401)
