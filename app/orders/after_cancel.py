"""Following orders after a local cancel: the order service knows no cancel, so it may still
finish an order that the customer cancelled here. The minute job asks about such orders every
AFTER_CANCEL_CHECK_SECONDS for AFTER_CANCEL_FOLLOW_HOURS, and keeps the final state it hears
(`after_cancel_state`), which the operators' console lists when it is Done.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, func, select, update

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.provider import get_order_client, map_state
from app.orders.sync.checks import CheckResult, Outcome, RunGate, check_state
from app.orders.sync.engine import SyncSettings
from app.orders.sync.store import DueOrder
from app.records.calls import record_checks

log = logging.getLogger(__name__)

BATCH = 200


def due_cancelled(limit: int = BATCH) -> list[DueOrder]:
    rows = db.session.execute(
        select(Order.id, Order.external_uuid)
        .where(
            Order.status == OrderStatus.CANCELLED,
            Order.after_cancel_check_at
            <= func.clock_timestamp(),  # now, not the transaction's start
            Order.external_uuid.is_not(None),
        )
        .order_by(Order.after_cancel_check_at)
        .limit(limit)
    ).all()
    db.session.commit()
    return [DueOrder(order_id, external) for order_id, external in rows]


def follow_cancelled() -> int:
    """Ask the order service about the cancelled orders that are due; returns how many."""
    due = due_cancelled()
    if not due:
        return 0
    client = get_order_client()
    settings = SyncSettings.from_config(current_app.config)
    gate = RunGate(settings.down_after, settings.rate_limit_pause)
    with ThreadPoolExecutor(min(len(due), client.pool_size)) as pool:
        results = list(pool.map(lambda order: check_state(client, order, gate), due))
    for result in results:
        keep_answer(result)
    record_checks([result for result in results if final_state(result)])
    db.session.commit()
    return len(results)


def final_state(result: CheckResult) -> str | None:
    if result.outcome is not Outcome.ANSWERED:
        return None
    return map_state(result.state or "")


def keep_answer(result: CheckResult) -> None:
    """A final answer ends the following; anything else asks again later, until the window
    (counted from the cancel, the order's last update) closes."""
    config = current_app.config
    final = final_state(result)
    follow_until = Order.updated_at + timedelta(hours=config["AFTER_CANCEL_FOLLOW_HOURS"])
    next_check = func.now() + timedelta(seconds=config["AFTER_CANCEL_CHECK_SECONDS"])
    db.session.execute(
        update(Order)
        .where(Order.id == result.order_id, Order.status == OrderStatus.CANCELLED)
        .values(
            after_cancel_state=final or Order.after_cancel_state,
            after_cancel_check_at=None
            if final
            else case((next_check < follow_until, next_check), else_=None),
            updated_at=Order.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
