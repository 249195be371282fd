"""The status sync and the console's "Re-check the status now" apply the order service's answer
the same way: the same status, timeline, backoff and following, for every kind of answer."""

from datetime import UTC, datetime

import pytest

from app.models import OrderStatus
from app.orders.sending import request_cancel
from app.orders.sync import run_sync
from tests.support.orders import insert_orders, processing_orders, reload

IN_PROCESSING, CANCELLED = OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED
REPORTS_DONE = "The order service reports the order done."
CANCEL = (IN_PROCESSING, CANCELLED, "Cancelled by the customer")
FINISHED_ANYWAY = "The provider finished this order after it was cancelled here."
AFTER_CANCEL = (CANCELLED, CANCELLED, FINISHED_ANYWAY)

# Each answer: how to bring it about, and what it leaves on the order.
ANSWERS = {
    "done": (
        {"state": "done"},
        {"status": "done", "failures": 0, "error": None, "due_in": None, "followed": False,
         "after_cancel": None, "timeline": [(IN_PROCESSING, "done", REPORTS_DONE)]},
    ),
    "still_processing": (
        {"state": "processing"},
        {"status": IN_PROCESSING, "failures": 0, "error": None, "due_in": 45, "followed": False,
         "after_cancel": None, "timeline": []},
    ),
    "unknown_to_provider": (
        {"known": False},
        {"status": IN_PROCESSING, "failures": 1, "due_in": 60, "followed": False,
         "error": "The order service does not know order <uuid>.", "after_cancel": None,
         "timeline": []},
    ),
    "server_error": (
        {"fault": {"status": 500}},
        {"status": IN_PROCESSING, "failures": 1, "due_in": 60, "followed": False,
         "error": "The order service answered HTTP 500.", "after_cancel": None, "timeline": []},
    ),
    "asked_to_wait": (
        {"fault": {"status": 429, "retry_after": 30}},
        {"status": IN_PROCESSING, "failures": 0, "error": None, "due_in": None, "followed": False,
         "after_cancel": None, "timeline": []},
    ),
    "done_after_a_cancel": (
        {"state": "done", "cancelled": True},
        {"status": CANCELLED, "failures": 0, "error": None, "due_in": 0, "followed": False,
         "after_cancel": "done", "timeline": [CANCEL, AFTER_CANCEL]},
    ),
    "still_processing_after_a_cancel": (
        {"state": "processing", "cancelled": True},
        {"status": CANCELLED, "failures": 0, "error": None, "due_in": 45, "followed": True,
         "after_cancel": None, "timeline": [CANCEL]},
    ),
}  # fmt: skip


def order_for(sandbox, user_id: int, known: bool = True, state: str | None = None, **how):
    """An order in processing (or cancelled here) that the sandbox answers about as asked."""
    if known:
        [(order_id, external)] = processing_orders(sandbox, user_id, 1, state=state)
    else:
        [(order_id, external)] = insert_orders(user_id, 1)
    if how.get("cancelled"):
        assert request_cancel(order_id)
    if fault := how.get("fault"):
        sandbox.add_faults("order_state", fault)
    return order_id, external


def outcome(order_id, external) -> dict:
    """What the answer left on the order (the operator's own note aside)."""
    order = reload(order_id)
    due_in = None
    if order.next_check_at is not None:
        seconds = (order.next_check_at - datetime.now(UTC)).total_seconds()
        due_in = max(0, round(seconds / 15) * 15)  # 0: due now
    error = order.last_check_error and order.last_check_error.replace(str(external), "<uuid>")
    return {
        "status": order.status,
        "failures": order.check_failures,
        "error": error,
        "due_in": due_in,
        "followed": order.follow_provider,
        "after_cancel": order.after_cancel_state,
        "timeline": [
            (e.from_status, e.to_status, e.reason) for e in order.events if e.actor_id is None
        ],
    }


def by_the_sync(operator_client, order_id) -> None:
    run_sync()


def by_an_operator(operator_client, order_id) -> None:
    assert operator_client.post(f"/ops/orders/{order_id}/recheck").status_code == 303


@pytest.mark.parametrize("apply", [by_the_sync, by_an_operator])
@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_an_answer_means_the_same_by_either_path(operator_client, user, sandbox, apply, answer):
    how, expected = ANSWERS[answer]
    order_id, external = order_for(sandbox, user.id, **how)

    apply(operator_client, order_id)

    assert outcome(order_id, external) == expected
