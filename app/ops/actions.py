"""What an operator may do to an order: retry a send now, re-check its status now, and resolve
a send whose outcome stays unknown. Each action is written on the order's timeline with the
operator's name (a note when the status does not change), in the same transaction.
"""

import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus, User
from app.ops.queries import UNCONFIRMED_SEND, attention_of
from app.orders import reasons
from app.orders.provider import get_order_client, map_state
from app.orders.reasons import Reason
from app.orders.send_outcomes import SETTLED
from app.orders.sending import enqueue_send, send_job_id
from app.orders.sync.checks import Outcome, RunGate, check_state
from app.orders.sync.engine import SyncSettings, check_failure, provider_reports
from app.orders.sync.store import DueOrder, record_failures, record_unchanged
from app.orders.transitions import event_fields, note_after_cancel, transition
from app.queue import flush_recent_calls, get_send_queue
from app.records.calls import record_checks

MAX_NOTE = 500


class ActionRefused(Exception):
    """The order is not in a state this action applies to (HTTP 409)."""


class ActionInvalid(ValueError):
    """The operator's input cannot be used (HTTP 422)."""


class OrderMissing(LookupError):
    """There is no order with this id (HTTP 404)."""


def load(order_id: uuid.UUID) -> Order:
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise OrderMissing(order_id)
    return order


def add_note(order_id: uuid.UUID, status: str, reason: Reason, operator: User) -> None:
    """A timeline entry that changes nothing: same status on both sides, and who wrote it."""
    db.session.add(
        OrderEvent(order_id=order_id, actor_id=operator.id, **event_fields(status, status, reason))
    )


def send_in_flight(order_id: uuid.UUID) -> bool:
    """A send job for this order is running right now (RQ marks it started before it claims)."""
    prefix = send_job_id(order_id)
    running = StartedJobRegistry(queue=get_send_queue()).get_job_ids()
    return any(job_id.startswith(prefix) for job_id in running)


def take_over_send(order: Order, lease_until) -> None:
    """Set the send lease of an order still being sent, unless a job holds it.

    A waiting retry also holds a lease (until it is due), so the lease alone cannot tell; no
    running send job, and a lease unchanged since we read it, can. Refused otherwise.
    """
    if send_in_flight(order.id):
        raise ActionRefused(_("A send attempt is running right now; wait for its outcome."))
    seen = order.send_claimed_until
    unchanged = (
        Order.send_claimed_until.is_(None) if seen is None else Order.send_claimed_until == seen
    )
    taken = db.session.execute(
        update(Order)
        .where(
            Order.id == order.id,
            Order.status == OrderStatus.SENDING,
            Order.external_uuid.is_(None),
            unchanged,
        )
        .values(send_claimed_until=lease_until)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        db.session.rollback()
        raise ActionRefused(_("A send attempt started meanwhile; wait for its outcome."))


def retry_send_now(order_id: uuid.UUID, operator: User) -> str:
    """Queue another send attempt at once, instead of waiting for the next retry."""
    order = load(order_id)
    if order.status != OrderStatus.SENDING or order.external_uuid is not None:
        raise ActionRefused(_("Only an order that is still being sent can be retried."))
    take_over_send(order, None)
    add_note(order.id, order.status, Reason(reasons.SEND_RETRIED), operator)
    db.session.commit()
    job_id = f"{send_job_id(order.id, order.send_attempts)}-operator-{uuid.uuid4().hex[:8]}"
    if not enqueue_send(order.id, job_id):
        return _("The retry could not be queued (Redis); the minute job will queue it.")
    return _("A new send attempt is queued.")


def recheck_now(order_id: uuid.UUID, operator: User) -> str:
    """Ask the order service for the order's state now, and apply the answer."""
    order = load(order_id)
    if order.external_uuid is None or order.status not in (
        OrderStatus.IN_PROCESSING,
        OrderStatus.CANCELLED,
    ):
        raise ActionRefused(_("Only an order registered at the order service can be re-checked."))
    gate = RunGate(1, SyncSettings.from_config(current_app.config).rate_limit_pause)
    result = check_state(get_order_client(), DueOrder(order.id, order.external_uuid), gate)
    flush_recent_calls()
    final = map_state(result.state or "") if result.outcome is Outcome.ANSWERED else None
    status = apply_check(order, result, final)
    record_checks([result], actor_id=operator.id)
    answer = describe(result)
    add_note(order.id, status, Reason(reasons.RECHECKED, answer=answer), operator)
    db.session.commit()
    return _("Re-checked: %(answer)s", answer=reasons.localized(answer))


def describe(result) -> Reason | str:
    """What the order service answered (its state, or why it did not), and how long it took."""
    if result.outcome is Outcome.ANSWERED:
        answer = Reason(reasons.ANSWERED, state=(result.state or "").strip()[:40])
    else:
        answer = result.error_reason or result.error or ""
    if result.seconds is None:
        return answer
    return Reason(reasons.TIMED, answer=answer, ms=f"{result.seconds * 1000:.0f}")


def apply_check(order: Order, result, final: str | None) -> str:
    """The same writes the status sync makes for this answer (or, for a cancelled order, the
    after-cancel answer); returns the order's status afterwards."""
    if order.status == OrderStatus.CANCELLED:
        if final:
            note_after_cancel({order.id: final}, last_checked_at=func.now())
        return order.status
    if final:
        change = transition(
            order.id,
            OrderStatus.IN_PROCESSING,
            final,
            provider_reports(result.state),
            last_checked_at=func.now(),
            check_failures=0,
            last_check_error=None,
            last_check_error_coded=None,
        )
        return final if change is not None else order.status
    if result.outcome is Outcome.ANSWERED:
        record_unchanged([order.id], recheck_seconds())
    else:
        record_failures(
            [check_failure(result)],
            current_app.config["SYNC_BACKOFF_BASE_SECONDS"],
            current_app.config["SYNC_BACKOFF_CAP_SECONDS"],
        )
    return order.status


def recheck_seconds() -> float:
    return SyncSettings.from_config(current_app.config).recheck_seconds


def send_outcome_unknown(order: Order) -> bool:
    """Still `sending`, unregistered, for longer than OPS_SEND_UNCONFIRMED_SECONDS: nobody
    knows whether the order service has it."""
    return order.status == OrderStatus.SENDING and attention_of(order) == UNCONFIRMED_SEND


def checked_note(note: str) -> str:
    note = " ".join(note.split())
    if not note:
        raise ActionInvalid(_("Write a note saying how the send was resolved."))
    if len(note) > MAX_NOTE:
        raise ActionInvalid(
            ngettext(
                "The note is too long (at most %(num)d character).",
                "The note is too long (at most %(num)d characters).",
                MAX_NOTE,
            )
        )
    return note


def checked_external_uuid(value: str) -> uuid.UUID | None:
    """The provider's id the operator found for the order, if any; it must be free."""
    if not value.strip():
        return None
    try:
        external = uuid.UUID(value.strip())
    except ValueError as error:
        raise ActionInvalid(_("The provider’s id must be a UUID.")) from error
    owner = db.session.scalar(select(Order.id).where(Order.external_uuid == external))
    if owner is not None:
        raise ActionInvalid(_("That provider id belongs to order %(order)s already.", order=owner))
    return external


def resolve_unknown_send(
    order_id: uuid.UUID, operator: User, note: str, external_uuid: str = ""
) -> str:
    """Settle a send nobody could confirm: registered under the provider id the operator
    found (→ In processing), or not registered at all (→ Draft, the customer may send again)."""
    order = load(order_id)
    if not send_outcome_unknown(order):
        raise ActionRefused(_("Only a send whose outcome stays unknown can be resolved."))
    note, external = checked_note(note), checked_external_uuid(external_uuid)
    lease = timedelta(seconds=current_app.config["SEND_CLAIM_SECONDS"])
    take_over_send(order, func.now() + lease)
    if external is not None:
        to, reason = OrderStatus.IN_PROCESSING, Reason(reasons.FOUND_AT_PROVIDER)
        found = {"external_uuid": external, "next_check_at": func.now()}
    else:  # a new revision, so a new Idempotency-Key when the customer sends it again
        to, reason = OrderStatus.DRAFT, Reason(reasons.NOT_AT_PROVIDER)
        found = {"revision": Order.revision + 1}
    transition(order.id, OrderStatus.SENDING, to, reason, operator.id, **SETTLED, **found)
    add_note(order.id, to, Reason(reasons.SEND_RESOLVED, note=note), operator)
    db.session.commit()
    return _("Resolved: in processing.") if external else _("Resolved: back to draft.")
