"""The status sync's database side: due orders in keyset batches, and per-batch bulk updates.

Every query here runs in the calling thread. Reads select only the columns the sync needs;
writes are one statement per batch and guarded by `followed()` (in processing, or cancelled
here and still followed), so an order finished by another run in the meantime is left as it is.
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import (
    Float,
    String,
    Uuid,
    cast,
    column,
    func,
    or_,
    select,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.reasons import Reason

MAX_BACKOFF_EXPONENT = 20


@dataclass(frozen=True)
class DueOrder:
    id: uuid.UUID
    external_uuid: uuid.UUID | None


@dataclass(frozen=True)
class CheckFailure:
    """A failed status check: a readable reason, and the least time to wait (Retry-After).

    `error` is the reason in English; `reason`, if given, is the same as the order's pages
    show it in their reader's language (app/reasons.py)."""

    order_id: uuid.UUID
    error: str
    min_delay: float = 0.0
    reason: Reason | str | None = None

    def coded_json(self) -> str | None:
        coded = reasons.columns(self.reason)[1]
        return None if coded is None else json.dumps(coded)


def seconds(amount) -> ColumnElement:
    """An SQL interval of `amount` seconds (a number or an SQL expression)."""
    return func.make_interval(0, 0, 0, 0, 0, 0, amount)


def followed() -> ColumnElement:
    """The orders the sync asks the provider about: those in processing, and those cancelled
    here that the provider may still finish (the predicate of ix_orders_due_for_check)."""
    return or_(Order.status == OrderStatus.IN_PROCESSING, Order.follow_provider)


def due_filter(start_after: uuid.UUID | None, end: uuid.UUID | None) -> list:
    """Followed, due now, and inside the id range (start_after, end]."""
    conditions = [
        followed(),
        or_(Order.next_check_at.is_(None), Order.next_check_at <= func.now()),
    ]
    if start_after is not None:
        conditions.append(Order.id > start_after)
    if end is not None:
        conditions.append(Order.id <= end)
    return conditions


def due_batch(start_after: uuid.UUID | None, end: uuid.UUID | None, size: int) -> list[DueOrder]:
    """The next `size` due orders after `start_after`, by id (the partial index's order)."""
    statement = (
        select(Order.id, Order.external_uuid)
        .where(*due_filter(start_after, end))
        .order_by(Order.id)
        .limit(size)
    )
    rows = db.session.execute(statement).all()
    db.session.commit()
    return [DueOrder(order_id, external) for order_id, external in rows]


def due_batches(
    start_after: uuid.UUID | None, end: uuid.UUID | None, size: int
) -> Iterator[list[DueOrder]]:
    """Keyset pagination over the due orders: one short query per batch, never all at once."""
    while batch := due_batch(start_after, end, size):
        yield batch
        if len(batch) < size:
            return
        start_after = batch[-1].id


def count_due(limit: int) -> int:
    """How many orders are due, counting no further than `limit`."""
    capped = select(Order.id).where(*due_filter(None, None)).limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


def nth_due_id(start_after: uuid.UUID | None, n: int) -> uuid.UUID | None:
    """The id of the n-th due order after `start_after`; None when fewer remain."""
    statement = (
        select(Order.id)
        .where(*due_filter(start_after, None))
        .order_by(Order.id)
        .offset(n - 1)
        .limit(1)
    )
    return db.session.scalar(statement)


def due_ranges(size: int) -> list[tuple[uuid.UUID | None, uuid.UUID | None]]:
    """Split the due orders into id ranges (start_after, end] of about `size` orders each.

    The last range is open-ended, so orders that arrive meanwhile still fall into one.
    """
    ranges, start_after = [], None
    while (end := nth_due_id(start_after, size)) is not None:
        ranges.append((start_after, end))
        start_after = end
    ranges.append((start_after, None))
    db.session.commit()
    return ranges


def record_unchanged(order_ids: list[uuid.UUID], recheck_seconds: float) -> None:
    """Orders still processing: checked now, due again after `recheck_seconds`."""
    if not order_ids:
        return
    db.session.execute(
        update(Order)
        .where(Order.id.in_(order_ids), followed())
        .values(
            last_checked_at=func.now(),
            next_check_at=func.now() + seconds(recheck_seconds),
            check_failures=0,
            last_check_error=None,
            last_check_error_coded=None,
        )
        .execution_options(synchronize_session=False)
    )


def record_failures(failures: list[CheckFailure], base: float, cap: float) -> None:
    """Back each order off: failures + 1, due again after min(base * 2**failures, cap) seconds
    (or the provider's Retry-After, if longer), with the reason kept for the order page."""
    if not failures:
        return
    failed = values(
        column("id", Uuid),
        column("error", String),
        column("error_coded", String),
        column("min_delay", Float),
        name="failed",
    ).data([(f.order_id, f.error[:500], f.coded_json(), f.min_delay) for f in failures])
    exponent = func.least(Order.check_failures + 1, MAX_BACKOFF_EXPONENT)
    delay = func.greatest(func.least(base * func.power(2, exponent), cap), failed.c.min_delay)
    db.session.execute(
        update(Order)
        .where(Order.id == failed.c.id, followed())
        .values(
            check_failures=Order.check_failures + 1,
            next_check_at=func.now() + seconds(delay),
            last_check_error=failed.c.error,
            last_check_error_coded=cast(failed.c.error_coded, JSONB),
        )
        .execution_options(synchronize_session=False)
    )
