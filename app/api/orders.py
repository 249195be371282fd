"""Orders: list, read, create as a draft (optionally sent at once), edit and delete a draft,
through the functions the pages call (app/orders/drafts.py, app/orders/sending)."""

import uuid
from datetime import UTC, datetime

from flask import Response, g, request, url_for
from flask_babel import gettext as _

from app.api import cursors, serialize
from app.api.etags import (
    body_tag,
    checked_revision,
    json_response,
    order_tag,
    read_body,
    read_response,
)
from app.api.schemas import NewOrder, Order, OrderEdit, OrderPage, OrderQuery
from app.api.spec import operation
from app.kept import kept
from app.models import OrderStatus
from app.orders.drafts import (
    OrderConflict,
    OrderInputError,
    StaleRevision,
    create_draft,
    delete_draft,
    update_draft,
)
from app.orders.queries import Filters, find_order_of, orders_after
from app.orders.sending import request_send
from app.problems import ApiProblem


def load_order(order_id: uuid.UUID):
    order = find_order_of(g.user_id, order_id)
    if order is None:
        raise ApiProblem(404, "order_not_found", _("There is no such order, or it is not yours."))
    return order


def order_answer(order, status: int = 200) -> Response:
    """The order with its ETag (its revision and a digest of what it shows)."""
    model = serialize.order(order)
    return json_response(model, status, tag=order_tag(model.model_dump_json(), order.revision))


def current_tag(order) -> str:
    return order_tag(serialize.order(order).model_dump_json(), order.revision)


def stale() -> ApiProblem:
    detail = _("The draft changed since you read it. Read it again, then decide.")
    return ApiProblem(412, "order_changed", detail)


def not_a_draft(error: Exception | None = None) -> ApiProblem:
    detail = str(error) if error else _("This order is not a draft any more.")
    return ApiProblem(409, "order_not_draft", detail)


def draft_as_seen(order_id: uuid.UUID) -> tuple:
    """One's own draft, and the revision the client saw of it (If-Match) checked against it
    now; an order that is no longer a draft is a 409."""
    order = load_order(order_id)
    if order.status != OrderStatus.DRAFT:
        raise not_a_draft()
    return order, checked_revision(current_tag(order))


def invalid_services(error: OrderInputError) -> ApiProblem:
    return ApiProblem(
        422, "invalid_services", str(error), [{"field": "services", "detail": str(error)}]
    )


def in_utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


@operation("GET", "/orders", ok=(200, OrderPage), tag="orders", query=OrderQuery)
def list_orders():
    """List your orders, newest first

    Pages follow `next_cursor`; they stay stable while new orders arrive."""
    query: OrderQuery = request.context.query
    # Kept per process by the owner's orders version, read with the token: a listing is read
    # from Postgres again only once one of the owner's orders has changed (app/kept.py).
    key = (g.user_id, g.api_token.orders_version, query.model_dump_json())
    listings = kept("api_order_listings", "API_LISTINGS_KEPT")
    answer = listings.get(key)
    if answer is None:
        body = listing(query).model_dump_json()
        answer = (body, body_tag(body))
        listings.put(key, answer)
    return read_body(*answer)


def listing(query: OrderQuery) -> OrderPage:
    after = cursors.decode("orders", query.cursor)
    try:
        position = None
        if after is not None:
            position = (datetime.fromisoformat(after["t"]), uuid.UUID(after["i"]))
    except (KeyError, TypeError, ValueError):
        position = cursors.decode("orders", "")  # a forged position: the cursor's 400
    filters = Filters(
        query.status and query.status.value,
        query.q.strip(),
        in_utc(query.created_after),
        in_utc(query.created_before),
    )
    rows = orders_after(g.user_id, filters, position, query.limit + 1)
    shown = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit:
        last = shown[-1]
        next_cursor = cursors.encode("orders", t=last.created_at.isoformat(), i=str(last.id))
    return OrderPage(data=[serialize.summary(row) for row in shown], next_cursor=next_cursor)


@operation("GET", "/orders/<uuid:order_id>", ok=(200, Order), tag="orders", problems=(404,))
def get_order(order_id: uuid.UUID):
    """Read one order

    Its ETag goes with `If-Match` on an edit, a send, a cancel or a delete."""
    order = load_order(order_id)
    model = serialize.order(order)
    return read_response(model, tag=order_tag(model.model_dump_json(), order.revision))


@operation(
    "POST", "/orders", ok=(201, Order), tag="orders", body=NewOrder, write=True, problems=(409,)
)
def create_order():
    """Create a draft order

    From catalog service ids, priced as the catalog is now; with `send: true` it goes to
    processing at once (status `sending`)."""
    wanted: NewOrder = request.context.json
    try:
        order = create_draft(g.user_id, wanted.services)
    except OrderInputError as error:
        raise invalid_services(error) from None
    if wanted.send:
        request_send(order.id, order.revision)
    response = order_answer(load_order(order.id), 201)
    response.headers["Location"] = url_for("api.get_order", order_id=order.id)
    return response


@operation(
    "PATCH",
    "/orders/<uuid:order_id>",
    ok=(200, Order),
    tag="orders",
    body=OrderEdit,
    write=True,
    takes_if_match=True,
    problems=(404, 409, 412),
)
def edit_order(order_id: uuid.UUID):
    """Change a draft's services

    At today's catalog prices; the draft's revision goes up by one."""
    order, seen = draft_as_seen(order_id)
    try:
        update_draft(order, request.context.json.services, seen)
    except OrderInputError as error:
        raise invalid_services(error) from None
    except StaleRevision:
        raise stale() from None
    except OrderConflict as error:
        raise not_a_draft(error) from None
    return order_answer(load_order(order_id))


@operation(
    "DELETE",
    "/orders/<uuid:order_id>",
    ok=(204, None),
    tag="orders",
    write=True,
    takes_if_match=True,
    problems=(404, 409, 412),
)
def delete_order(order_id: uuid.UUID):
    """Delete a draft"""
    _, seen = draft_as_seen(order_id)
    try:
        delete_draft(order_id, seen)
    except StaleRevision:
        raise stale() from None
    except OrderConflict as error:
        raise not_a_draft(error) from None
    return Response(status=204)
