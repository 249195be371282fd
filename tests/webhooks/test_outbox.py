"""The outbox row commits or rolls back with the change that caused it."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.sending.outcomes import hold_for_a_person
from app.orders.transitions import bulk_transition, transition
from app.reasons import Reason
from app.webhooks.models import WebhookEvent
from tests.webhooks.conftest import register, sending_order


def events() -> list[WebhookEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookEvent)))


def test_a_rolled_back_change_leaves_no_event(app, user, receiver):
    register(user.id, receiver.url)
    order_id = sending_order(user.id)
    assert transition(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING) is not None
    db.session.rollback()

    assert events() == []
    db.session.commit()  # nothing noted is left over for the next transaction
    assert events() == []


def test_a_committed_change_has_its_event_in_the_same_transaction(app, user, receiver):
    register(user.id, receiver.url)
    order_id = sending_order(user.id)
    transition(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING)
    db.session.commit()

    [event] = events()
    assert (event.event_type, event.order_id, event.state) == (
        "order.in_processing",
        order_id,
        "pending",
    )
    assert event.payload["status"] == "in_processing"


def test_a_commit_that_fails_writes_neither(app, user, receiver):
    """The change and its event fail together: here the order row breaks a constraint."""
    register(user.id, receiver.url)
    order_id = sending_order(user.id)
    transition(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING)
    db.session.add(Order(id=order_id, user_id=user.id, status="draft"))  # a duplicate key
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert events() == []
    assert db.session.get(Order, order_id).status == OrderStatus.SENDING


def test_a_bulk_change_writes_one_event_per_order_and_endpoint(app, user, receivers):
    first, second = receivers(), receivers()
    register(user.id, first.url)
    register(user.id, second.url, ["order.failed"])
    orders = [sending_order(user.id) for _ in range(3)]

    targets = {oid: (OrderStatus.IN_PROCESSING, None) for oid in orders}
    bulk_transition(targets, OrderStatus.SENDING, external_uuid=None)
    db.session.commit()

    assert sorted(str(e.order_id) for e in events()) == sorted(str(o) for o in orders)


def test_a_draft_edit_or_a_return_to_draft_is_no_event(app, user, receiver):
    register(user.id, receiver.url)
    order_id = sending_order(user.id)
    transition(
        order_id, OrderStatus.SENDING, OrderStatus.DRAFT, Reason(reasons.REJECTED, error="x")
    )
    db.session.commit()
    assert events() == []


def test_an_order_flagged_for_a_person_is_an_event(app, user, receiver):
    register(user.id, receiver.url, ["order.needs_attention"])
    order_id = sending_order(user.id)
    order = db.session.get(Order, order_id)
    hold_for_a_person(order, Reason(reasons.REPEAT_REFUSED, error="conflict"))

    [event] = events()
    assert event.event_type == "order.needs_attention"
    assert event.payload["needs_attention"] is True and event.payload["status"] == "sending"
    hold_for_a_person(db.session.get(Order, order_id), Reason(reasons.REPEAT_REFUSED, error="x"))
    assert len(events()) == 1  # flagged once, told once


def test_events_of_other_accounts_are_not_written_to_my_endpoint(app, user, factory, receiver):
    register(user.id, receiver.url)
    other = factory.user(email="other@example.com", password="other-secret")
    order_id = sending_order(other.id)
    transition(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING)
    db.session.commit()
    assert events() == []
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
