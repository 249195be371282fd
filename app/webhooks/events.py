"""What the webhooks tell: the event types an endpoint can ask for, and each event's body."""

import json
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.models import OrderStatus
from app.orders.transitions import Change

TEST = "webhook.test"
NEEDS_ATTENTION = "order.needs_attention"
# The order statuses whose every change is an event, under the event's type.
STATUS_TYPES = {
    OrderStatus.SENDING: "order.sending",
    OrderStatus.IN_PROCESSING: "order.in_processing",
    OrderStatus.DONE: "order.done",
    OrderStatus.CANCELLED: "order.cancelled",
    OrderStatus.FAILED: "order.failed",
}
# Every type an endpoint can ask for, as the account page names it.
ORDER_TYPES = {
    "order.sending": _l("Sending"),
    "order.in_processing": _l("In processing"),
    "order.done": _l("Done"),
    "order.cancelled": _l("Cancelled"),
    "order.failed": _l("Failed"),
    NEEDS_ATTENTION: _l("Needs attention"),
}


def event_type(change: Change) -> str | None:
    """The event a noted change is, or None (a draft edited or deleted, a note on a cancel)."""
    if change.attention:
        return NEEDS_ATTENTION
    if change.deleted or change.from_status == change.to_status:
        return None
    return STATUS_TYPES.get(change.to_status)


def change_data(change: Change) -> dict:
    """The event's `data`: which order, its status (and the one before) and its revision."""
    return {
        "order_id": str(change.order_id),
        "status": change.to_status,
        "previous_status": change.from_status,
        "revision": change.revision,
        "needs_attention": change.attention,
    }


def test_data() -> dict:
    return {"message": "A test event from Click to Mice."}


def body(event_id: uuid.UUID, kind: str, created_at: datetime, sequence: int, data: dict) -> str:
    """The JSON body sent (and signed) for an event; `sequence` orders one order's events."""
    return json.dumps(
        {
            "id": f"msg_{event_id.hex}",
            "type": kind,
            "timestamp": created_at.isoformat(timespec="milliseconds"),
            "sequence": sequence,
            "data": data,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def message_id(event_id: uuid.UUID) -> str:
    return f"msg_{event_id.hex}"
