"""What the order service's answer about an order means for it, and writing that down: the
one place that decides, for the sync's batches and for an operator's re-check alike.

- a final state: the order in processing moves to Done, Failed or Cancelled with an event; one
  cancelled here gets a note instead (the provider finished it anyway) and is followed no more;
- still working: checked now, due again a little under one sync interval later;
- a 404 or an answer we cannot use: this order backs off on its own (app/orders/sync/store.py);
- no answer, or asked to wait: the provider's state, not the order's, so nothing is written
  and the order stays due.

Writes are bulk statements guarded like every status change; the caller commits.
"""

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.provider import get_order_client, map_state
from app.orders.sync import store
from app.orders.sync.checks import CheckResult, Outcome, RunGate, check_state
from app.orders.transitions import ChangeRefused, add_note, bulk_transition, note_after_cancel
from app.provider_http import flush_recent_calls
from app.reasons import Reason
from app.records.calls import record_checks

RECHECK_SHARE_OF_INTERVAL = 0.75
RECHECKABLE = (OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED)
CHECKED = {
    "last_checked_at": func.now(),
    "check_failures": 0,
    "last_check_error": None,
    "last_check_error_coded": None,
}


def recheck_seconds() -> float:
    """A little under the interval, so the next run (about a minute later) finds the order
    due even if it reaches it a few seconds earlier in its run than this one did."""
    return current_app.config["SYNC_INTERVAL_SECONDS"] * RECHECK_SHARE_OF_INTERVAL


def sort_results(results: list[CheckResult]) -> tuple[dict, list, list]:
    """Split answers into finished orders (with their new status), unchanged ones, failures."""
    finished, unchanged, failures = {}, [], []
    for result in results:
        if result.outcome is Outcome.ANSWERED:
            status = map_state(result.state or "")
            if status is None:
                unchanged.append(result.order_id)
            else:
                finished[result.order_id] = (status, provider_reports(result.state))
        elif result.outcome in (Outcome.FAILED, Outcome.NOT_FOUND):
            failures.append(check_failure(result))
    return finished, unchanged, failures


def provider_reports(state: str) -> Reason:
    """The reason for a finished order: the provider's state, in its own words."""
    return Reason(reasons.PROVIDER_REPORTS, state=state.strip()[:40])


def check_failure(result: CheckResult) -> store.CheckFailure:
    return store.CheckFailure(
        result.order_id, result.error or "", result.retry_after, result.error_reason
    )


def worth_keeping(result: CheckResult) -> bool:
    """A check an operator may want to read later: any but "still processing" and skips."""
    if result.outcome is Outcome.ANSWERED:
        return map_state(result.state or "") is not None
    return result.outcome is not Outcome.SKIPPED


def write_answers(results: list[CheckResult], actor_id: int | None = None) -> int:
    """Apply the answers (the caller commits, which publishes the changes); returns how many
    orders changed or got a note. The calls are kept for the operators: those worth reading,
    and every one an operator (`actor_id`) asked for."""
    finished, unchanged, failures = sort_results(results)
    changes = bulk_transition(finished, expected=OrderStatus.IN_PROCESSING, **CHECKED)
    # The rest of the finished ones were cancelled here (perhaps a moment ago): note them.
    outcomes = {order_id: status for order_id, (status, _) in finished.items()}
    notes = note_after_cancel(outcomes, **CHECKED)
    store.record_unchanged(unchanged, recheck_seconds())
    config = current_app.config
    store.record_failures(
        failures, config["SYNC_BACKOFF_BASE_SECONDS"], config["SYNC_BACKOFF_CAP_SECONDS"]
    )
    kept = [result for result in results if actor_id is not None or worth_keeping(result)]
    record_checks(kept, actor_id=actor_id)
    return len(changes) + len(notes)


def recheck_status(order_id: uuid.UUID, actor_id: int) -> Reason | str:
    """Ask the order service about one order now (also one cancelled here, to learn whether
    the provider finished it) and apply the answer as the sync does, with a note naming the
    operator; committed. Returns the answer."""
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or order.external_uuid is None or order.status not in RECHECKABLE:
        raise ChangeRefused(_l("Only an order registered at the order service can be re-checked."))
    gate = RunGate(1, current_app.config["SYNC_RATE_LIMIT_PAUSE_SECONDS"])
    result = check_state(get_order_client(), store.DueOrder(order.id, order.external_uuid), gate)
    flush_recent_calls()
    write_answers([result], actor_id)
    status = db.session.scalar(select(Order.status).where(Order.id == order_id))
    answer = describe(result)
    add_note(order_id, status, Reason(reasons.RECHECKED, answer=answer), actor_id)
    db.session.commit()
    return answer


def describe(result: CheckResult) -> Reason | str:
    """What the order service answered (its state, or why it did not), and how long it took."""
    if result.outcome is Outcome.ANSWERED:
        answer = Reason(reasons.ANSWERED, state=(result.state or "").strip()[:40])
    else:
        answer = result.error_reason or result.error or ""
    if result.seconds is None:
        return answer
    return Reason(reasons.TIMED, answer=answer, ms=f"{result.seconds * 1000:.0f}")
