"""/api/v1/webhook-endpoints and /api/v1/webhook-events: the account page's operations through
the API, every answer checked against the document; another account's are not found."""

import pytest
from standardwebhooks import Webhook

from app.extensions import db
from app.webhooks import service
from app.webhooks.models import WebhookEndpoint
from tests.webhooks.conftest import register
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def create(api, url, types=("order.done",), **headers):
    return api.post(
        "/webhook-endpoints", json={"url": url, "event_types": list(types)}, headers=headers
    )


def test_an_endpoint_through_its_life(api, user, receiver, run_jobs):
    created = create(api, receiver.url, ("order.done", "order.failed"))
    assert created.status_code == 201
    body = created.get_json()
    secret, endpoint_id = body["secret"], body["id"]
    assert secret.startswith("whsec_") and body["event_types"] == ["order.done", "order.failed"]

    read = api.get(f"/webhook-endpoints/{endpoint_id}")
    assert read.status_code == 200 and "secret" not in read.get_json()
    assert (
        api.get(
            f"/webhook-endpoints/{endpoint_id}", headers={"If-None-Match": read.headers["ETag"]}
        ).status_code
        == 304
    )
    assert [e["id"] for e in api.get("/webhook-endpoints").get_json()["data"]] == [endpoint_id]

    test = api.post(f"/webhook-endpoints/{endpoint_id}/test")
    assert test.status_code == 202 and test.get_json()["type"] == "webhook.test"
    run_jobs()
    [got] = receiver.received
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
    [attempt] = api.get(f"/webhook-endpoints/{endpoint_id}/deliveries").get_json()["data"]
    assert (attempt["outcome"], attempt["status_code"], attempt["response_start"]) == (
        "delivered",
        200,
        "thanks",
    )

    again = api.post(f"/webhook-events/{attempt['event_id']}/redeliver")
    assert again.status_code == 202
    run_jobs()
    assert len(receiver.received) == 2

    rotated = api.post(f"/webhook-endpoints/{endpoint_id}/rotate-secret")
    assert rotated.status_code == 200 and rotated.get_json()["secret"] not in (secret, None)

    changed = api.patch(f"/webhook-endpoints/{endpoint_id}", json={"enabled": False})
    assert changed.status_code == 200
    assert (changed.get_json()["enabled"], changed.get_json()["disabled_reason"]) == (
        False,
        "by_owner",
    )
    kinds = api.patch(f"/webhook-endpoints/{endpoint_id}", json={"event_types": ["order.sending"]})
    assert kinds.get_json()["event_types"] == ["order.sending"]

    assert api.delete(f"/webhook-endpoints/{endpoint_id}").status_code == 204
    assert api.get(f"/webhook-endpoints/{endpoint_id}").status_code == 404
    assert db.session.scalars(db.select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "not an address", "event_types": ["order.done"]}, "url"),
        ({"url": "http://ex\x00ample.com/", "event_types": ["order.done"]}, "url"),
        ({"url": "https://example.com/", "event_types": []}, "event_types"),
        ({"url": "https://example.com/", "event_types": ["order.draft"]}, "event_types"),
        ({"url": "https://example.com/"}, "event_types"),
        ({"url": "https://example.com/", "event_types": ["order.done"], "x": 1}, "x"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(api, body, field):
    response = api.post("/webhook-endpoints", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "invalid_fields"
    assert any(field in error["field"] for error in problem["errors"])
    assert db.session.scalars(db.select(WebhookEndpoint)).all() == []


def test_a_read_only_token_may_not_change_endpoints(make_api, user, receiver):
    reader = make_api(user, scope="read")
    assert create(reader, receiver.url).status_code == 403
    assert reader.get("/webhook-endpoints").status_code == 200


def test_another_accounts_endpoints_and_events_are_not_found(api, factory, receiver, run_jobs):
    other = factory.user(email="other@example.com", password="other-secret")
    theirs, _ = register(other.id, receiver.url)
    event = service.fire_test(other.id, theirs.id)
    assert api.get("/webhook-endpoints").get_json()["data"] == []
    base = f"/webhook-endpoints/{theirs.id}"
    assert api.get(base).get_json()["code"] == "webhook_endpoint_not_found"
    assert api.patch(base, json={"enabled": False}).status_code == 404
    assert api.delete(base).status_code == 404
    assert api.post(f"{base}/rotate-secret").status_code == 404
    assert api.post(f"{base}/test").status_code == 404
    assert api.get(f"{base}/deliveries").status_code == 404
    assert api.post(f"/webhook-events/{event.id}/redeliver").status_code == 404
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, theirs.id).enabled


def test_problems_speak_russian(api, receiver):
    response = api.post(
        "/webhook-endpoints",
        json={"url": "ftp://example.com", "event_types": ["order.done"]},
        headers={"Accept-Language": "ru"},
    )
    assert "Введите полный адрес" in response.get_json()["detail"]
