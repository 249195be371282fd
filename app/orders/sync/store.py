"""The status sync's database side: due orders in keyset batches, and per-batch bulk updates
guarded by `followed()`, so that an order another run finished meanwhile is left as it is."""

import json
import uuid
from collections.abc import Iterator

from sqlalchemy import Float, Text, Uuid, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from app import reasons
from app.array_table import array_table
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.sync.checks import CheckResult, DueOrder

MAX_BACKOFF_EXPONENT = 20
# What every check with a usable answer sets.
CHECKED = {
    "last_checked_at": func.now(),
    "check_failures": 0,
    "last_check_error": None,
    "last_check_error_coded": None,
}


def seconds(amount) -> ColumnElement:
    """An SQL interval of `amount` seconds (a number or an SQL expression)."""
    return func.make_interval(0, 0, 0, 0, 0, 0, amount)


def followed() -> ColumnElement:
    """The orders the sync asks about: in processing, and cancelled here but possibly still
    finished by the provider (the predicate of ix_orders_due_for_check)."""
    return or_(Order.status == OrderStatus.IN_PROCESSING, Order.follow_provider)


def due_filter(start_after: uuid.UUID | None, end: uuid.UUID | None) -> list:
    conditions = [followed(), or_(Order.next_check_at.is_(None), Order.next_check_at <= func.now())]
    if start_after is not None:
        conditions.append(Order.id > start_after)
    if end is not None:
        conditions.append(Order.id <= end)
    return conditions


def due_batches(
    start_after: uuid.UUID | None, end: uuid.UUID | None, size: int
) -> Iterator[list[DueOrder]]:
    """Keyset pagination over the due orders by id (the partial index's order): one short query
    per batch, never all at once, and no transaction left open while a batch is checked."""
    query = select(Order.id, Order.external_uuid).order_by(Order.id).limit(size)
    while True:
        rows = db.session.execute(query.where(*due_filter(start_after, end))).all()
        db.session.commit()
        if rows:
            yield [DueOrder(order_id, external) for order_id, external in rows]
        if len(rows) < size:
            return
        start_after = rows[-1].id


def count_due(limit: int) -> int:
    capped = select(Order.id).where(*due_filter(None, None)).limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


def due_ranges(size: int) -> list[tuple[uuid.UUID | None, uuid.UUID | None]]:
    """Split the due orders into id ranges (start_after, end] of about `size` orders each. The
    last range is open-ended, so orders that arrive meanwhile still fall into one."""
    ranges, start_after = [], None
    nth = select(Order.id).order_by(Order.id).offset(size - 1).limit(1)
    while (end := db.session.scalar(nth.where(*due_filter(start_after, None)))) is not None:
        ranges.append((start_after, end))
        start_after = end
    ranges.append((start_after, None))
    db.session.commit()
    return ranges


def record_unchanged(order_ids: list[uuid.UUID], recheck_seconds: float) -> None:
    if not order_ids:
        return
    db.session.execute(
        update(Order)
        .where(Order.id.in_(order_ids), followed())
        .values(next_check_at=func.now() + seconds(recheck_seconds), **CHECKED)
        .execution_options(synchronize_session=False)
    )


def failure_row(result: CheckResult) -> tuple:
    coded = reasons.columns(result.error_reason)[1]
    coded_json = None if coded is None else json.dumps(coded)
    return result.order_id, (result.error or "")[:500], coded_json, result.retry_after


FAILED_COLUMNS = {"id": Uuid, "error": Text, "error_coded": Text, "min_delay": Float}


def failed_table(failures: list[CheckResult]):
    """The failures as the derived table `failed`, one array per column (app/array_table.py)."""
    arrays = zip(*(failure_row(result) for result in failures), strict=True)
    columns = zip(FAILED_COLUMNS.items(), arrays, strict=True)
    return array_table("failed", {name: (list(values), kind) for (name, kind), values in columns})


def record_failures(failures: list[CheckResult], base: float, cap: float) -> None:
    """Back each order off: failures + 1, due again after min(base * 2**failures, cap) seconds
    (or the provider's Retry-After, if longer), with the reason kept for the order page."""
    if not failures:
        return
    failed = failed_table(failures)
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
