"""Flash messages, and messages about an order's progress that go away when the order moves on.

A progress message ("Sending your order to processing…") is true only while its order is in the
status it describes. It is flashed with that order and status; the page leaves it out if the
order has moved on before the page was drawn, and app.js removes it when the page later shows
the order in another status. So a message never contradicts the page beside it.
"""

import uuid
from dataclasses import dataclass

from flask import Flask, flash, g, get_flashed_messages
from sqlalchemy import select

from app.extensions import db
from app.models import Order


@dataclass(frozen=True)
class Message:
    category: str
    text: str
    order_id: str | None = None
    while_status: str | None = None  # a progress message holds only while the order is in it


def flash_progress(order_id: uuid.UUID, status: str, text: str, category: str = "success"):
    flash({"text": text, "order_id": str(order_id), "while_status": status}, category)


def as_message(category: str, flashed) -> Message:
    if isinstance(flashed, dict):
        return Message(
            category,
            str(flashed.get("text", "")),
            flashed.get("order_id"),
            flashed.get("while_status"),
        )
    return Message(category, str(flashed))


def current_statuses(order_ids: set[str]) -> dict[str, str]:
    """The statuses of these orders now, in one query (nothing to read when there are none)."""
    if not order_ids:
        return {}
    ids = [uuid.UUID(value) for value in order_ids]
    rows = db.session.execute(select(Order.id, Order.status).where(Order.id.in_(ids))).all()
    return {str(order_id): status for order_id, status in rows}


def hold_messages() -> None:
    """Leave the flashed messages for the next page: this one cannot check them (the database
    is down), and an error page has no room for them."""
    g.hold_messages = True


def page_messages() -> list[Message]:
    """The flashed messages to show now, without those whose order has moved on."""
    if g.get("hold_messages"):
        return []
    messages = [as_message(c, m) for c, m in get_flashed_messages(with_categories=True)]
    statuses = current_statuses({m.order_id for m in messages if m.order_id})
    return [m for m in messages if m.order_id is None or statuses.get(m.order_id) == m.while_status]


def init_app(app: Flask) -> None:
    app.add_template_global(page_messages)
