"""The order state machine: each status change is one guarded UPDATE (one that lost a race
changes nothing) and an event, noted on the session and published once it commits."""

import json
import uuid
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, Uuid, case, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from app import reasons
from app.array_table import array_table
from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus
from app.reasons import Reason

# A `Reason` (shown in the reader's language) or, from older callers, text shown as written.
AnyReason = Reason | str | None

PENDING_KEY = "order_changes"

ALLOWED = {
    (OrderStatus.DRAFT, OrderStatus.SENDING),
    (OrderStatus.SENDING, OrderStatus.IN_PROCESSING),
    (OrderStatus.SENDING, OrderStatus.DRAFT),
    (OrderStatus.IN_PROCESSING, OrderStatus.DONE),
    (OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED),
    (OrderStatus.IN_PROCESSING, OrderStatus.FAILED),
}


class ChangeRefused(Exception):
    """The order is not in a state this action applies to now; the message says why."""


@dataclass(frozen=True)
class Change:
    """One committed change, as the owner's open pages are told it (or that a draft is gone)."""

    order_id: uuid.UUID
    user_id: int
    from_status: str
    to_status: str
    revision: int
    deleted: bool = False
    attention: bool = False  # not a status change: the order was just flagged for a person


def note(changes: list[Change]) -> list[Change]:
    """Keep changes on the session until it commits (published) or rolls back (dropped)."""
    db.session.info.setdefault(PENDING_KEY, []).extend(changes)
    return changes


def take_noted(session: Session) -> list[Change]:
    return session.info.pop(PENDING_KEY, [])


def noted(session: Session) -> list[Change]:
    """The changes noted so far in the session's transaction, left in place."""
    return session.info.get(PENDING_KEY, [])


def note_attention(order_id: uuid.UUID, status: str = OrderStatus.SENDING) -> None:
    """Note that an order was just flagged for a person (webhooks tell its owner's systems)."""
    found = db.session.execute(
        select(Order.user_id, Order.revision).where(Order.id == order_id)
    ).one_or_none()
    if found is not None:
        note([Change(order_id, found.user_id, status, status, found.revision, attention=True)])


def start_draft(order: Order) -> None:
    order.status = OrderStatus.DRAFT
    order.events = [OrderEvent(**event_fields(None, OrderStatus.DRAFT, Reason(reasons.CREATED)))]


def guards(order_id: uuid.UUID, status: str, seen_revision: int | None) -> list:
    """The order is still in `status` and, if a page said which revision it showed, that one."""
    found = [Order.id == order_id, Order.status == status]
    if seen_revision is not None:
        found.append(Order.revision == seen_revision)
    return found


def update_orders(*where, **values):
    """UPDATE orders, returning (id, user_id, revision); loaded orders are left as they are."""
    return db.session.execute(
        update(Order)
        .where(*where)
        .values(**values)
        .returning(Order.id, Order.user_id, Order.revision)
        .execution_options(synchronize_session=False)
    )


def transition(
    order_id: uuid.UUID,
    expected: str,
    to: str,
    reason: AnyReason = None,
    actor_id: int | None = None,
    seen_revision: int | None = None,
    **values_,
) -> Change | None:
    """Move one order from `expected` to `to`; None if it is no longer in `expected` (or, given
    `seen_revision`, that revision). `actor_id` is the operator's, if one did it."""
    if (expected, to) not in ALLOWED:
        raise ValueError(f"{expected} → {to} is not a status change we make")
    event = event_fields(expected, to, reason)
    shown = {"status_reason": event["reason"], "status_reason_coded": event["reason_coded"]}
    where = guards(order_id, expected, seen_revision)
    applied = update_orders(
        *where, status=to, updated_at=func.now(), **shown, **values_
    ).one_or_none()
    if applied is None:
        return None
    db.session.add(OrderEvent(order_id=order_id, actor_id=actor_id, **event))
    return note([Change(order_id, applied.user_id, expected, to, applied.revision)])[0]


def commit_transition(
    order_id: uuid.UUID, expected: str, to: str, reason: AnyReason = None, **values_
) -> bool:
    if transition(order_id, expected, to, reason, **values_) is None:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def unnest_rows(events: dict[uuid.UUID, dict]):
    """The events as a derived table `wanted`: one bound array per column, however many rows."""
    rows = events.values()
    codes = [
        None if row["reason_coded"] is None else json.dumps(row["reason_coded"]) for row in rows
    ]
    arrays = {
        "id": (list(events), Uuid),
        "to_status": ([row["to_status"] for row in rows], Text),
        "reason": ([row["reason"] for row in rows], Text),
        "reason_coded": (codes, Text),
    }
    return array_table("wanted", arrays)


def bulk_transition(
    targets: dict[uuid.UUID, tuple[str, AnyReason]], expected: str, **values_
) -> list[Change]:
    """Move many orders from `expected` to their own (status, reason) in one guarded UPDATE."""
    if not targets:
        return []
    for to, _ in targets.values():
        if (expected, to) not in ALLOWED:
            raise ValueError(f"{expected} → {to} is not a status change we make")
    events = {oid: event_fields(expected, to, reason) for oid, (to, reason) in targets.items()}
    wanted = unnest_rows(events)
    applied = update_orders(
        Order.id == wanted.c.id,
        Order.status == expected,
        status=wanted.c.to_status,
        status_reason=wanted.c.reason,
        status_reason_coded=cast(wanted.c.reason_coded, JSONB),
        updated_at=func.now(),
        **values_,
    ).all()
    return changed(applied, expected, events)


def changed(applied: list, from_status: str, events: dict[uuid.UUID, dict]) -> list[Change]:
    if applied:
        rows = [{"order_id": order_id, **events[order_id]} for order_id, _, _ in applied]
        db.session.execute(insert(OrderEvent), rows)
    return note(
        [Change(oid, uid, from_status, events[oid]["to_status"], rev) for oid, uid, rev in applied]
    )


def event_fields(from_status: str | None, to: str, reason: AnyReason) -> dict:
    text, coded = reasons.columns(reason)
    return {"from_status": from_status, "to_status": to, "reason": text, "reason_coded": coded}


def add_note(
    order_id: uuid.UUID, status: str, reason: AnyReason, actor_id: int | None = None
) -> None:
    event = event_fields(status, status, reason)
    db.session.add(OrderEvent(order_id=order_id, actor_id=actor_id, **event))


AFTER_CANCEL_REASONS = {
    OrderStatus.DONE: Reason(reasons.DONE_AFTER_CANCEL),
    OrderStatus.CANCELLED: Reason(reasons.CANCELLED_AFTER_CANCEL),
    OrderStatus.FAILED: Reason(reasons.FAILED_AFTER_CANCEL),
}
# Their English wording, as the timeline's text column keeps it.
AFTER_CANCEL = {status: reason.english() for status, reason in AFTER_CANCEL_REASONS.items()}


def note_after_cancel(outcomes: dict[uuid.UUID, str], **values_) -> list[Change]:
    """Cancelled orders the provider finished anyway (it has no cancel call) stay Cancelled:
    note what it did on the timeline and for the console, and stop following them."""
    if not outcomes:
        return []
    cancelled = OrderStatus.CANCELLED
    applied = update_orders(
        Order.id.in_(list(outcomes)),
        Order.status == cancelled,
        Order.follow_provider,
        follow_provider=False,
        after_cancel_state=case(outcomes, value=Order.id),
        **values_,
    ).all()
    why = {oid: AFTER_CANCEL_REASONS[outcomes[oid]] for oid, _, _ in applied}
    events = {oid: event_fields(cancelled, cancelled, reason) for oid, reason in why.items()}
    return changed(applied, cancelled, events)


def acknowledge_after_cancel(order_id: uuid.UUID, note: str, actor_id: int) -> None:
    """An operator read that the provider finished an order cancelled here and wrote what was
    done about it: the note goes on the timeline and the order leaves the console's list."""
    applied = update_orders(
        Order.id == order_id,
        Order.status == OrderStatus.CANCELLED,
        Order.after_cancel_state == OrderStatus.DONE,
        Order.after_cancel_acknowledged_at.is_(None),
        after_cancel_acknowledged_at=func.now(),
    ).one_or_none()
    if applied is None:
        raise ChangeRefused(
            _l("Only an order the provider finished after a cancel can be acknowledged, once.")
        )
    reason = Reason(reasons.ACKNOWLEDGED_AFTER_CANCEL, note=note)
    add_note(order_id, OrderStatus.CANCELLED, reason, actor_id)
