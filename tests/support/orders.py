"""Orders for tests and benchmarks, made fast, straight in the database, and read back."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus

CHUNK = 5000
UNREGISTERED = (OrderStatus.DRAFT, OrderStatus.SENDING)


def insert_orders(
    user_id: int,
    count: int,
    status: str = OrderStatus.IN_PROCESSING,
    each: Callable[[int], dict] | None = None,
    **columns,
) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """`count` orders of one user in `status` (no items, no events), in chunks of CHUNK rows.

    Orders past sending get an external uuid. `columns` apply to every row, `each(n)` to the
    n-th. Returns (order id, external uuid) pairs in the order inserted.
    """
    pairs = []
    for start in range(0, count, CHUNK):
        numbers = range(start, min(count, start + CHUNK))
        rows = [row(user_id, status, n, each, columns) for n in numbers]
        db.session.execute(insert(Order), rows)
        db.session.commit()
        pairs.extend((r["id"], r["external_uuid"]) for r in rows)
    return pairs


def row(user_id: int, status: str, n: int, each, columns: dict) -> dict:
    values = {"id": uuid.uuid4(), "user_id": user_id, "status": status, **columns}
    values.update(each(n) if each else {})
    registered = values["status"] not in UNREGISTERED
    values.setdefault("external_uuid", uuid.uuid4() if registered else None)
    return values


def processing_orders(sandbox, user_id: int, count: int, state: str | None = None) -> list:
    """Orders in processing here and known to the sandbox (in `state`, or still "new")."""
    pairs = insert_orders(user_id, count)
    for start in range(0, len(pairs), CHUNK):
        sandbox.seed_orders([ext for _, ext in pairs[start : start + CHUNK]], state=state)
    return pairs


def reload(order_id: uuid.UUID) -> Order:
    """The order as the database has it now."""
    db.session.expire_all()
    return db.session.get(Order, order_id)


def timeline(order_id: uuid.UUID) -> list[tuple[str | None, str]]:
    """The order's status changes, oldest first, as (from, to)."""
    rows = db.session.execute(
        select(OrderEvent.from_status, OrderEvent.to_status)
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.id)
    ).all()
    return [tuple(row) for row in rows]


def statuses() -> dict[str, int]:
    rows = db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
    return dict(rows)


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OrderEvent))


def make_all_due() -> None:
    """As if the backoff or the recheck delay had passed for every order."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    db.session.execute(update(Order).values(next_check_at=past))
    db.session.commit()


def state_requests(sandbox) -> int:
    """How many order-state requests the sandbox has served."""
    return sandbox.stats()["order_state"]
