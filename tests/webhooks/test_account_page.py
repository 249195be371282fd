"""The webhooks section of the account page and each endpoint's delivery log."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.webhooks.models import WebhookEndpoint
from tests.support.auth import logged_in_client
from tests.support.language import english_words
from tests.webhooks.conftest import register

ALL_TYPES = [
    "order.sending",
    "order.in_processing",
    "order.done",
    "order.cancelled",
    "order.failed",
    "order.needs_attention",
]


def add(client, url, types=("order.done", "order.failed")):
    return client.post("/account/webhooks", data={"url": url, "event_types": list(types)})


def endpoints() -> list[WebhookEndpoint]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookEndpoint)))


def secret_in(html: str) -> str | None:
    found = re.search(r"data-secret-value>(whsec_[^<]+)<", html)
    return found.group(1) if found else None


def test_registering_shows_the_secret_once(client, logged_in, receiver):
    response = add(client, receiver.url)
    assert response.status_code == 201
    secret = secret_in(response.get_data(as_text=True))
    [endpoint] = endpoints()
    assert secret == endpoint.secret
    assert endpoint.event_types == ["order.done", "order.failed"]

    again = client.get("/account").get_data(as_text=True)
    assert receiver.url in again and secret not in again


@pytest.mark.parametrize(
    ("url", "types", "message"),
    [
        ("", ALL_TYPES, "Enter a full address, such as https://example.com/hooks."),
        ("not an address", ALL_TYPES, "Enter a full address, such as https://example.com/hooks."),
        ("https://example.com/" + "x" * 2100, ALL_TYPES, "That address is too long."),
        ("https://example.com/hooks", [], "Choose at least one event."),
        ("https://example.com/hooks", ["order.draft"], "That is not an event we send."),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, logged_in, url, types, message):
    response = add(client, url, types)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert endpoints() == []


def test_an_account_has_at_most_its_endpoints(make_app, receiver, user_factory):
    app, user, _ = user_factory(WEBHOOK_ENDPOINTS_PER_ACCOUNT=2)
    client = logged_in_client(app)
    assert [add(client, receiver.url).status_code for _ in range(3)] == [201, 201, 422]
    assert len(endpoints()) == 2


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_a_while(
    client, logged_in, receiver
):
    endpoint, old = register(logged_in.id, receiver.url)
    response = client.post(f"/account/webhooks/{endpoint.id}/rotate")
    new = secret_in(response.get_data(as_text=True))
    assert response.status_code == 200 and new and new != old
    [saved] = endpoints()
    assert (saved.secret, saved.previous_secret) == (new, old)
    assert saved.previous_secret_until is not None


def test_disable_enable_and_delete(client, logged_in, receiver):
    endpoint, _ = register(logged_in.id, receiver.url)
    response = client.post(f"/account/webhooks/{endpoint.id}/disable")
    assert response.status_code == 303
    page = client.get("/account").get_data(as_text=True)
    assert 'data-state="disabled"' in page and "The endpoint is disabled" in page
    assert endpoints()[0].disabled_reason == "by_owner"

    client.post(f"/account/webhooks/{endpoint.id}/enable")
    assert endpoints()[0].enabled and endpoints()[0].disabled_reason is None

    client.post(f"/account/webhooks/{endpoint.id}/delete")
    assert endpoints() == []
    assert receiver.url not in client.get("/account").get_data(as_text=True)


def test_a_failing_endpoint_says_why_it_was_disabled(client, logged_in, receiver):
    endpoint, _ = register(logged_in.id, receiver.url)
    row = db.session.get(WebhookEndpoint, endpoint.id)
    row.enabled, row.disabled_reason, row.disabled_error = False, "failing", "HTTP 503"
    row.disabled_at = row.created_at
    db.session.commit()
    page = client.get("/account").get_data(as_text=True)
    assert 'data-state="failing"' in page
    assert "every delivery failed for days (last: HTTP 503)" in page


def test_a_test_event_shows_in_the_log_with_its_answer_and_can_be_sent_again(
    client, logged_in, receiver, run_jobs
):
    endpoint, _ = register(logged_in.id, receiver.url)
    response = client.post(f"/account/webhooks/{endpoint.id}/test")
    assert response.headers["Location"] == f"/account/webhooks/{endpoint.id}"
    run_jobs()

    log = client.get(f"/account/webhooks/{endpoint.id}").get_data(as_text=True)
    assert 'data-outcome="delivered"' in log and ">200<" in log and "thanks" in log
    event_id = re.search(r'data-event="([0-9a-f-]+)" data-state="delivered"', log).group(1)

    again = client.post(f"/account/webhooks/events/{event_id}/again")
    assert again.status_code == 303
    run_jobs()
    assert len(receiver.received) == 2
    assert len(set(r.headers["Webhook-Id"] for r in receiver.received)) == 1  # the same event


def test_the_pages_speak_russian(client, logged_in, receiver, run_jobs):
    client.post("/language", data={"locale": "ru", "next": "/account"})
    endpoint, _ = register(logged_in.id, receiver.url)
    page = client.get("/account").get_data(as_text=True)
    assert "Вебхуки" in page and english_words(page) == []
    refused = add(client, "http://", ["order.done"]).get_data(as_text=True)
    assert "Введите полный адрес" in refused and english_words(refused) == []
    client.post(f"/account/webhooks/{endpoint.id}/disable")
    assert english_words(client.get("/account").get_data(as_text=True)) == []
    client.post(f"/account/webhooks/{endpoint.id}/enable")
    client.post(f"/account/webhooks/{endpoint.id}/test")
    run_jobs()
    log = client.get(f"/account/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Доставлено" in log
    assert english_words(log, provider_texts=["webhook.test", "thanks"]) == []
