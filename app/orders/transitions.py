"""The order state machine: every status change is one guarded UPDATE plus an event.

A guarded update (`WHERE id = :id AND status = :expected`, and `AND revision = :seen` for a
customer's send from a page that showed that revision) that lost a race changes nothing, so
two clicks, two tabs, two workers or a sync racing a cancel can never apply twice, and a send
never sends content its page did not show.

Each change is also noted on the database session; once the session commits, the live module
publishes the noted changes to their owners (`app.orders.live`), and a rollback drops them. So a
caller only commits: no change can be committed and then forgotten by the live pages.
"""

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import Text, Uuid, case, cast, column, func, insert, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session

from app import reasons
from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus
from app.reasons import Reason

# A reason is a `Reason` (a code the pages show in their reader's language) or, from older
# callers and tests, plain text shown as written.
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
    """The order is not in a state this action applies to now; the message says why, in the
    reader's language (English on the command line)."""


@dataclass(frozen=True)
class Change:
    """One committed change of an order, as its owner's open pages are told it: the status and
    the content's revision it left, or that the order is gone (a draft deleted)."""

    order_id: uuid.UUID
    user_id: int
    from_status: str
    to_status: str
    revision: int
    deleted: bool = False


def note(changes: list[Change]) -> None:
    """Keep changes on the session until it commits (published) or rolls back (dropped)."""
    db.session.info.setdefault(PENDING_KEY, []).extend(changes)


def take_noted(session: Session) -> list[Change]:
    """The changes noted on `session` since it last committed or rolled back, now forgotten."""
    return session.info.pop(PENDING_KEY, [])


def start_draft(order: Order) -> None:
    """A new order begins as a draft, with the first event of its timeline."""
    order.status = OrderStatus.DRAFT
    order.events = [OrderEvent(**event_fields(None, OrderStatus.DRAFT, Reason(reasons.CREATED)))]


def transition(
    order_id: uuid.UUID,
    expected: str,
    to: str,
    reason: AnyReason = None,
    actor_id: int | None = None,
    seen_revision: int | None = None,
    **values_,
) -> Change | None:
    """Move one order from `expected` to `to`; None if it was not in `expected` any more, or
    (given `seen_revision`) if its content is no longer that revision.

    `actor_id` names the operator who made the change, if one did. The caller commits (the
    change is then published) or rolls back.
    """
    if (expected, to) not in ALLOWED:
        raise ValueError(f"{expected} → {to} is not a status change we make")
    event = event_fields(expected, to, reason)
    guards = [Order.id == order_id, Order.status == expected]
    if seen_revision is not None:
        guards.append(Order.revision == seen_revision)
    statement = (
        update(Order)
        .where(*guards)
        .values(
            status=to,
            status_reason=event["reason"],
            status_reason_coded=event["reason_coded"],
            updated_at=func.now(),
            **values_,
        )
        .returning(Order.user_id, Order.revision)
        .execution_options(synchronize_session=False)
    )
    applied = db.session.execute(statement).one_or_none()
    if applied is None:
        return None
    db.session.add(OrderEvent(order_id=order_id, actor_id=actor_id, **event))
    change = Change(order_id, applied.user_id, expected, to, applied.revision)
    note([change])
    return change


def commit_transition(
    order_id: uuid.UUID, expected: str, to: str, reason: AnyReason = None, **values_
) -> bool:
    """`transition`, committed (and so published) if it applied, rolled back if not."""
    if transition(order_id, expected, to, reason, **values_) is None:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def unnest_rows(targets: dict[uuid.UUID, tuple[str, AnyReason]]):
    """The targets as a derived table `wanted(id, to_status, reason, reason_coded)` from four
    array parameters: one bound value per column, however many orders."""
    ids, tos, texts, codes = [], [], [], []
    for order_id, (to, reason) in targets.items():
        text, coded = reasons.columns(reason)
        ids.append(order_id)
        tos.append(to)
        texts.append(text)
        codes.append(None if coded is None else json.dumps(coded))
    return (
        func.unnest(
            cast(ids, ARRAY(Uuid)),
            cast(tos, ARRAY(Text)),
            cast(texts, ARRAY(Text)),
            cast(codes, ARRAY(Text)),
        )
        .table_valued(
            column("id", Uuid),
            column("to_status", Text),
            column("reason", Text),
            column("reason_coded", Text),
        )
        .render_derived(name="wanted")
    )


def bulk_transition(
    targets: dict[uuid.UUID, tuple[str, AnyReason]], expected: str, **values_
) -> list[Change]:
    """Move many orders from `expected` to their own (status, reason) in one UPDATE.

    Orders no longer in `expected` (cancelled meanwhile, or done by another run) are skipped.
    """
    if not targets:
        return []
    for to, _ in targets.values():
        if (expected, to) not in ALLOWED:
            raise ValueError(f"{expected} → {to} is not a status change we make")
    wanted = unnest_rows(targets)
    coded = cast(wanted.c.reason_coded, JSONB)
    statement = (
        update(Order)
        .where(Order.id == wanted.c.id, Order.status == expected)
        .values(
            status=wanted.c.to_status,
            status_reason=wanted.c.reason,
            status_reason_coded=coded,
            updated_at=func.now(),
            **values_,
        )
        .returning(
            Order.id, Order.user_id, wanted.c.to_status, wanted.c.reason, coded, Order.revision
        )
        .execution_options(synchronize_session=False)
    )
    applied = db.session.execute(statement).all()
    if applied:
        db.session.execute(
            insert(OrderEvent),
            [
                {
                    "order_id": oid,
                    "from_status": expected,
                    "to_status": to,
                    "reason": text,
                    "reason_coded": reason_coded,
                }
                for oid, _, to, text, reason_coded, _ in applied
            ],
        )
    changes = [Change(oid, uid, expected, to, rev) for oid, uid, to, _, _, rev in applied]
    note(changes)
    return changes


def event_fields(from_status: str | None, to: str, reason: AnyReason) -> dict:
    """A timeline entry's columns: the change and its reason (as wording and as code)."""
    text, coded = reasons.columns(reason)
    return {"from_status": from_status, "to_status": to, "reason": text, "reason_coded": coded}


def add_note(
    order_id: uuid.UUID, status: str, reason: AnyReason, actor_id: int | None = None
) -> None:
    """A timeline entry that changes nothing (the same status on both sides): an operator's,
    with their id, or the app's own."""
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
    """For orders cancelled here that the provider has now finished anyway (it has no cancel
    call): say on the timeline what the provider did, keep its final state for the operators'
    console (`after_cancel_state`), and stop following them. The status stays Cancelled; the
    note is published like a change, so open pages show it."""
    if not outcomes:
        return []
    statement = (
        update(Order)
        .where(
            Order.id.in_(list(outcomes)),
            Order.status == OrderStatus.CANCELLED,
            Order.follow_provider,
        )
        .values(
            follow_provider=False,
            after_cancel_state=case(outcomes, value=Order.id),
            **values_,
        )
        .returning(Order.id, Order.user_id, Order.revision)
        .execution_options(synchronize_session=False)
    )
    applied = db.session.execute(statement).all()
    cancelled = OrderStatus.CANCELLED
    if applied:
        db.session.execute(
            insert(OrderEvent),
            [
                {
                    "order_id": oid,
                    **event_fields(cancelled, cancelled, AFTER_CANCEL_REASONS[outcomes[oid]]),
                }
                for oid, _, _ in applied
            ],
        )
    changes = [Change(oid, uid, cancelled, cancelled, rev) for oid, uid, rev in applied]
    note(changes)
    return changes
