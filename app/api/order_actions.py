"""Send and cancel an order, and read its timeline: the pages' own functions again."""

import uuid

from flask_babel import gettext as _
from sqlalchemy import select

from app.api import serialize
from app.api.etags import checked_revision, read_response
from app.api.orders import current_tag, draft_as_seen, load_order, not_a_draft, order_answer, stale
from app.api.schemas import EventList, Order
from app.api.spec import operation
from app.extensions import db
from app.models import OrderEvent
from app.orders.drafts import draft_moved_on
from app.orders.sending import request_cancel, request_send
from app.problems import ApiProblem


@operation(
    "POST",
    "/orders/<uuid:order_id>/send",
    ok=(202, Order),
    tag="orders",
    write=True,
    takes_if_match=True,
    problems=(404, 409, 412),
)
def send_order(order_id: uuid.UUID):
    """Send a draft to processing

    Answers at once with status `sending`; the order is registered with the provider exactly
    once, however often this is retried."""
    _, seen = draft_as_seen(order_id)
    if not request_send(order_id, seen):
        raise stale() if draft_moved_on(order_id, seen) else not_a_draft()
    return order_answer(load_order(order_id), 202)


@operation(
    "POST",
    "/orders/<uuid:order_id>/cancel",
    ok=(200, Order),
    tag="orders",
    write=True,
    takes_if_match=True,
    problems=(404, 409, 412),
)
def cancel_order(order_id: uuid.UUID):
    """Cancel an order in processing

    The provider cannot be told to stop, so it may still finish the work: the order stays
    cancelled here, and its timeline says what the provider did."""
    order = load_order(order_id)
    checked_revision(current_tag(order))
    if not request_cancel(order_id):
        detail = _("Only an order in processing can be cancelled.")
        raise ApiProblem(409, "order_not_in_processing", detail)
    return order_answer(load_order(order_id))


@operation(
    "GET", "/orders/<uuid:order_id>/events", ok=(200, EventList), tag="orders", problems=(404,)
)
def list_order_events(order_id: uuid.UUID):
    """Read an order's timeline

    Every status change, oldest first, with why it happened."""
    load_order(order_id)
    events = db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
    )
    shown = [serialize.event(e) for e in events if not e.is_operator_note]
    return read_response(EventList(data=shown))
