"""Cancelling is local: the provider has no cancel call and may finish the order anyway. The
status sync keeps asking about orders cancelled here and, when the provider reports them
finished, notes that on the timeline without changing the status."""

import json
import time
import uuid

import pytest
from sqlalchemy import update

from app.extensions import db, get_redis
from app.models import Order, OrderStatus
from app.orders.live import user_channel
from app.orders.sending import request_cancel
from app.orders.sync import run_sync
from app.orders.sync.checks import CheckResult, Outcome
from app.orders.sync.engine import SyncSummary, apply_batch
from app.orders.transitions import AFTER_CANCEL
from tests.support.orders import make_all_due, processing_orders, reload, state_requests, timeline

CANCELLED, IN_PROCESSING = OrderStatus.CANCELLED, OrderStatus.IN_PROCESSING


@pytest.fixture
def cancelled_here(app, user, sandbox):
    """An order registered at the provider (still "new" there) and cancelled by its owner."""
    [(order_id, external)] = processing_orders(sandbox, user.id, 1)
    assert request_cancel(order_id)
    return order_id, external


def test_a_cancel_here_keeps_the_order_followed(cancelled_here):
    order = reload(cancelled_here[0])
    assert order.status == CANCELLED and order.follow_provider
    assert order.next_check_at is not None


@pytest.mark.parametrize("provider_state", ["done", "cancelled", "failed"])
def test_the_providers_outcome_is_noted_and_the_status_stays(
    cancelled_here, sandbox, provider_state
):
    order_id, external = cancelled_here
    sandbox.force_state(external, provider_state)

    summary = run_sync()

    order = reload(order_id)
    assert order.status == CANCELLED and not order.follow_provider
    assert timeline(order_id)[-1] == (CANCELLED, CANCELLED)
    assert order.events[-1].reason == AFTER_CANCEL[provider_state]
    assert (summary.checked, summary.changed) == (1, 1)
    asked = state_requests(sandbox)
    make_all_due()
    run_sync()
    assert state_requests(sandbox) == asked  # followed no more


def test_while_the_provider_works_the_order_stays_followed(cancelled_here, sandbox):
    order_id, external = cancelled_here
    sandbox.force_state(external, "processing")
    run_sync()
    order = reload(order_id)
    assert order.follow_provider and order.last_checked_at is not None
    assert timeline(order_id)[-1] == (IN_PROCESSING, CANCELLED)


def test_an_unknown_order_backs_off_and_stays_followed(app, user, sandbox):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1)
    assert request_cancel(order_id)
    forget = update(Order).where(Order.id == order_id).values(external_uuid=uuid.uuid4())
    db.session.execute(forget)
    db.session.commit()
    summary = run_sync()
    order = reload(order_id)
    assert summary.not_found == 1 and order.check_failures == 1 and order.follow_provider


def test_an_order_the_provider_cancelled_is_not_followed(app, user, sandbox):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state="cancelled")
    run_sync()
    order = reload(order_id)
    assert order.status == CANCELLED and not order.follow_provider
    asked = state_requests(sandbox)
    make_all_due()
    run_sync()
    assert state_requests(sandbox) == asked


def test_a_cancel_during_the_check_gets_the_note(app, user, sandbox):
    """The sync asked while the order was in processing; the customer cancelled before the
    answer was written: the order stays Cancelled, and the timeline says what happened."""
    [(order_id, _)] = processing_orders(sandbox, user.id, 1)
    answer = CheckResult(order_id, Outcome.ANSWERED, state="done")
    assert request_cancel(order_id)

    apply_batch([answer], SyncSummary())

    order = reload(order_id)
    assert order.status == CANCELLED and not order.follow_provider
    assert order.events[-1].reason == AFTER_CANCEL["done"]


def test_the_note_is_published_to_the_owner(cancelled_here, sandbox, user):
    order_id, external = cancelled_here
    sandbox.force_state(external, "done")
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(user_channel(user.id))
    run_sync()
    deadline, message = time.monotonic() + 30, None
    while message is None and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
    pubsub.close()
    assert json.loads(message["data"]) == {
        "order_id": str(order_id),
        "status": CANCELLED,
        "revision": 1,
    }


def test_one_sync_run_asks_about_a_cancelled_order_once(cancelled_here, sandbox):
    """The sync is the only thing that follows a cancelled order: no second asking beside it."""
    asked = state_requests(sandbox)
    run_sync()
    assert state_requests(sandbox) == asked + 1
