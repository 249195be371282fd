"""What the order service's answer means for its order, written in guarded bulk statements (the
caller commits): the one place that decides, for the sync's batches and an operator's re-check."""

import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.provider import get_order_client, map_state
from app.orders.sync import store
from app.orders.sync.checks import CheckResult, DueOrder, Outcome, RunGate, check_state
from app.orders.transitions import ChangeRefused, add_note, bulk_transition, note_after_cancel
from app.provider_http import flush_recent_calls
from app.reasons import Reason
from app.records.calls import record_checks

RECHECKABLE = (OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED)


def sort_results(results: list[CheckResult]) -> tuple[dict, list, list[CheckResult]]:
    """Split answers into finished orders (with their new status), unchanged ones and failures."""
    finished, unchanged, failures = {}, [], []
    for result in results:
        if result.outcome is Outcome.ANSWERED:
            status = map_state(result.state or "")
            if status is None:
                unchanged.append(result.order_id)
            else:
                reason = Reason(reasons.PROVIDER_REPORTS, state=result.state.strip()[:40])
                finished[result.order_id] = (status, reason)
        elif result.outcome in (Outcome.FAILED, Outcome.NOT_FOUND):
            failures.append(result)
    return finished, unchanged, failures


def worth_keeping(result: CheckResult) -> bool:
    """A check an operator may want to read later: any but "still processing" and skips."""
    if result.outcome is Outcome.ANSWERED:
        return map_state(result.state or "") is not None
    return result.outcome is not Outcome.SKIPPED


def write_answers(results: list[CheckResult], actor_id: int | None = None) -> int:
    """Apply the answers (the caller commits); returns how many orders changed or got a note."""
    config = current_app.config
    finished, unchanged, failures = sort_results(results)
    changes = bulk_transition(finished, expected=OrderStatus.IN_PROCESSING, **store.CHECKED)
    # The rest of the finished ones were cancelled here (perhaps a moment ago): note them.
    outcomes = {order_id: status for order_id, (status, _) in finished.items()}
    notes = note_after_cancel(outcomes, **store.CHECKED)
    # A little under the interval, so that the next run finds the order due even if it reaches
    # it a few seconds earlier in its run than this one did.
    store.record_unchanged(unchanged, config["SYNC_INTERVAL_SECONDS"] * 0.75)
    base, cap = config["SYNC_BACKOFF_BASE_SECONDS"], config["SYNC_BACKOFF_CAP_SECONDS"]
    store.record_failures(failures, base, cap)
    record_checks([r for r in results if actor_id is not None or worth_keeping(r)], actor_id)
    return len(changes) + len(notes)


def recheck_status(order_id: uuid.UUID, actor_id: int) -> Reason | str:
    """Ask the order service about one order now (also one cancelled here, to learn whether the
    provider finished it), apply the answer as the sync does and note it; committed."""
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or order.external_uuid is None or order.status not in RECHECKABLE:
        raise ChangeRefused(_l("Only an order registered at the order service can be re-checked."))
    gate = RunGate(1, current_app.config["SYNC_RATE_LIMIT_PAUSE_SECONDS"])
    result = check_state(get_order_client(), DueOrder(order.id, order.external_uuid), gate)
    flush_recent_calls()
    write_answers([result], actor_id)
    if result.outcome is Outcome.ANSWERED:  # also an order the sync no longer follows
        db.session.execute(
            update(Order).where(Order.id == order_id).values(last_checked_at=func.now())
        )
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
