"""Events reach real receivers, signed so that the `standardwebhooks` package verifies them."""

import json
import uuid

from sqlalchemy import func, select
from standardwebhooks import Webhook

from app.extensions import db
from app.models import OrderStatus
from app.webhooks import service
from app.webhooks.models import WebhookAttempt, WebhookEvent
from tests.webhooks.conftest import change, register, sending_order


def test_a_status_change_reaches_the_endpoint_signed(app, user, receiver, run_jobs):
    endpoint, secret = register(user.id, receiver.url)
    order_id = sending_order(user.id)
    external = uuid.uuid4()
    change(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING, external_uuid=external)

    run_jobs()

    [got] = receiver.received
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload["type"] == "order.in_processing"
    assert payload["data"]["order_id"] == str(order_id)
    assert payload["data"]["previous_status"] == "sending"
    assert payload["data"]["revision"] == 1
    assert got.headers["Webhook-Id"] == payload["id"]
    [event] = db.session.scalars(select(WebhookEvent)).all()
    assert event.state == "delivered" and event.attempts == 1
    [attempt] = db.session.scalars(select(WebhookAttempt)).all()
    assert attempt.status_code == 200 and attempt.response_start == "thanks"
    assert attempt.latency_ms is not None


def test_only_the_event_types_asked_for_are_sent(app, user, receivers, run_jobs):
    done_only, all_types = receivers(), receivers()
    register(user.id, done_only.url, ["order.done"])
    register(user.id, all_types.url)
    order_id = sending_order(user.id)
    change(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING, external_uuid=uuid.uuid4())
    change(order_id, OrderStatus.IN_PROCESSING, OrderStatus.DONE)

    run_jobs()

    assert [json.loads(b)["type"] for b in done_only.bodies()] == ["order.done"]
    kinds = sorted(json.loads(b)["type"] for b in all_types.bodies())
    assert kinds == ["order.done", "order.in_processing"]


def test_the_later_change_has_the_larger_sequence(app, user, receiver, run_jobs):
    register(user.id, receiver.url)
    order_id = sending_order(user.id)
    change(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING, external_uuid=uuid.uuid4())
    change(order_id, OrderStatus.IN_PROCESSING, OrderStatus.DONE)

    run_jobs()

    by_type = {json.loads(b)["type"]: json.loads(b)["sequence"] for b in receiver.bodies()}
    assert by_type["order.done"] > by_type["order.in_processing"]


def test_during_a_rotation_both_secrets_sign(app, user, receiver, run_jobs):
    endpoint, old = register(user.id, receiver.url)
    new = service.rotate_secret(user.id, endpoint.id)
    service.fire_test(user.id, endpoint.id)

    run_jobs()

    [got] = receiver.received
    assert len(got.headers["Webhook-Signature"].split(" ")) == 2
    assert Webhook(old).verify(got.body, got.headers)["type"] == "webhook.test"
    assert Webhook(new).verify(got.body, got.headers)["type"] == "webhook.test"


def test_no_endpoint_no_event(app, user, run_jobs):
    order_id = sending_order(user.id)
    change(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING, external_uuid=uuid.uuid4())
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_commit_of_many_changes_queues_one_job_for_all(app, user, receiver, run_jobs):
    from app.orders.transitions import bulk_transition
    from app.queue import get_webhook_queue

    register(user.id, receiver.url)
    orders = [sending_order(user.id) for _ in range(25)]
    bulk_transition({oid: (OrderStatus.IN_PROCESSING, None) for oid in orders}, "sending")
    db.session.commit()
    assert get_webhook_queue().count == 1

    run_jobs()
    assert len(receiver.received) == 25
