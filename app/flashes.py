"""Flash messages, and progress messages ("Sending your order…") that hold only while their
order is in the status they describe (app.js removes them too, once the page shows another)."""

import uuid
from dataclasses import dataclass

from flask import flash, g, get_flashed_messages, session
from sqlalchemy import select

from app.extensions import db
from app.models import Order


@dataclass(frozen=True)
class Message:
    category: str
    text: str
    order_id: str | None = None
    while_status: str | None = None  # a progress message holds only while the order is in it


def flash_progress(order_id: uuid.UUID, status: str, text: str):
    flash({"text": text, "order_id": str(order_id), "while_status": status}, "success")


def as_message(category: str, flashed) -> Message:
    if isinstance(flashed, dict):
        text = str(flashed.get("text", ""))
        return Message(category, text, flashed.get("order_id"), flashed.get("while_status"))
    return Message(category, str(flashed))


def hold_messages() -> None:
    """Leave the flashed messages for the next page: an error page cannot check or show them."""
    g.hold_messages = True


def messages_waiting() -> bool:
    """Whether a message was flashed for the next page and not shown yet."""
    return bool(session.get("_flashes"))


def page_messages() -> list[Message]:
    """The flashed messages to show now, without those whose order has moved on."""
    if g.get("hold_messages"):
        return []
    messages = [as_message(c, m) for c, m in get_flashed_messages(with_categories=True)]
    statuses = {}
    if ids := {uuid.UUID(m.order_id) for m in messages if m.order_id}:  # one query, or none
        rows = db.session.execute(select(Order.id, Order.status).where(Order.id.in_(ids)))
        statuses = {str(order_id): status for order_id, status in rows}
    return [m for m in messages if m.order_id is None or statuses.get(m.order_id) == m.while_status]
