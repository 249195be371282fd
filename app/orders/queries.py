"""Reading orders: the owner-checked loader and the dashboard's pages, searches and stats."""

import math
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from flask import abort
from flask_login import current_user
from sqlalchemy import Text, and_, cast, exists, func, or_, select

from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.query_args import one_of, page_number, plain_text


def get_own_order(order_id: uuid.UUID) -> Order:
    """The current user's order, or 404.

    Someone else's order answers exactly like one that does not exist, so an id never
    confirms that an order exists.
    """
    order = find_own_order(order_id)
    if order is None:
        abort(404)
    return order


def find_own_order(order_id: uuid.UUID) -> Order | None:
    """The current user's order, or None (for someone else's order too)."""
    return db.session.scalar(
        select(Order).where(Order.id == order_id, Order.user_id == current_user.id)
    )


MAX_SEARCH_LENGTH = 100
IN_PROGRESS = (OrderStatus.SENDING, OrderStatus.IN_PROCESSING)


@dataclass(frozen=True)
class ListingArgs:
    """What the dashboard shows: a page, a status filter and a search (all optional)."""

    page: int = 1
    status: str = ""
    search: str = ""


@dataclass(frozen=True)
class ItemSummary:
    """What an order holds, for telling orders apart: "Logo design — Basic + 2 more"."""

    first: str
    count: int

    @property
    def more(self) -> int:
        return max(0, self.count - 1)


def summarise(order: Order) -> ItemSummary | None:
    """The summary of one loaded order (for a single row; the list reads them in its query)."""
    return ItemSummary(order.items[0].name, len(order.items)) if order.items else None


@dataclass(frozen=True)
class OrderStats:
    """The summary above the list; "this month" is the calendar month in UTC."""

    in_progress: int
    done_this_month: int
    spent_this_month: Decimal


@dataclass(frozen=True)
class OrdersPage:
    orders: list[Order]
    page: int
    pages: int
    total: int
    status: str
    search: str = ""
    summaries: dict[uuid.UUID, ItemSummary] = field(default_factory=dict)
    stats: OrderStats | None = None

    @property
    def query(self) -> dict:
        """This page's query string, for its own refresh."""
        return {"page": self.page, **self.filters}

    @property
    def filters(self) -> dict:
        """The status filter and the search, for links to other pages of the same list."""
        return {name: value for name, value in self.filter_items if value}

    @property
    def filter_items(self) -> tuple:
        return (("status", self.status), ("q", self.search))


def parse_listing_args(args) -> ListingArgs:
    """Page number, status filter and search from a query string; nonsense falls back to the
    defaults, and a search is trimmed to MAX_SEARCH_LENGTH characters."""
    return ListingArgs(
        page_number(args),
        one_of(args, "status", OrderStatus.LABELS),
        plain_text(args, "q", MAX_SEARCH_LENGTH),
    )


ID_PREFIX = re.compile(r"[0-9a-f-]{1,36}")


def search_condition(search: str):
    """Orders holding a service whose name contains `search`, or whose id starts with it
    (with or without the leading #, as the list shows it). Wildcards are taken literally."""
    text = search.lower()
    by_name = exists().where(
        OrderItem.order_id == Order.id, func.lower(OrderItem.name).contains(text, autoescape=True)
    )
    prefix = text.lstrip("#")
    if not ID_PREFIX.fullmatch(prefix):
        return by_name
    return or_(by_name, cast(Order.id, Text).startswith(prefix, autoescape=True))


def summary_columns():
    """The first service of the order (by position) and how many it holds, as two scalar
    subqueries of the listing query: served by the items' order_id index, no query per row."""
    first = (
        select(OrderItem.name)
        .where(OrderItem.order_id == Order.id)
        .order_by(OrderItem.position, OrderItem.id)
        .limit(1)
        .scalar_subquery()
    )
    count = select(func.count()).where(OrderItem.order_id == Order.id).scalar_subquery()
    return first, count


def list_orders(user_id: int, args: ListingArgs, per_page: int) -> OrdersPage:
    """One page of the user's orders, newest first (served by ix_orders_user_created), each
    with what it holds, and the stats above the list."""
    conditions = [Order.user_id == user_id]
    if args.status:
        conditions.append(Order.status == args.status)
    if args.search:
        conditions.append(search_condition(args.search))
    total = db.session.scalar(select(func.count()).select_from(Order).where(*conditions))
    pages = max(1, math.ceil(total / per_page))
    page = min(args.page, pages)
    rows = db.session.execute(
        select(Order, *summary_columns())
        .where(*conditions)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    summaries = {o.id: ItemSummary(first, count) for o, first, count in rows if first}
    orders = [order for order, _, _ in rows]
    return OrdersPage(
        orders, page, pages, total, args.status, args.search, summaries, order_stats(user_id)
    )


def open_drafts(user_id: int, most: int = 10) -> list[tuple[Order, ItemSummary | None]]:
    """The user's newest drafts with what each holds (for adding a service to one)."""
    rows = db.session.execute(
        select(Order, *summary_columns())
        .where(Order.user_id == user_id, Order.status == OrderStatus.DRAFT)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(most)
    ).all()
    return [(order, ItemSummary(first, count) if first else None) for order, first, count in rows]


def order_stats(user_id: int) -> OrderStats:
    """Orders in progress, and those done this month with their gross, in one query."""
    month = func.date_trunc("month", func.now(), "UTC")
    done_this_month = and_(Order.status == OrderStatus.DONE, Order.updated_at >= month)
    row = db.session.execute(
        select(
            func.count().filter(Order.status.in_(IN_PROGRESS)),
            func.count().filter(done_this_month),
            func.coalesce(func.sum(Order.gross).filter(done_this_month), 0),
        ).where(Order.user_id == user_id)
    ).one()
    return OrderStats(row[0], row[1], Decimal(row[2]))
