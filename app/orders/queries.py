"""Reading orders: the owner-checked loader and the dashboard's pages, searches and stats."""

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask import abort
from flask_login import current_user
from sqlalchemy import Text, and_, cast, exists, func, or_, select, true, tuple_

from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.query_args import one_of, page_number, plain_text


def get_own_order(order_id: uuid.UUID) -> Order:
    """The current user's order, or 404: someone else's answers like one that does not exist."""
    return find_own_order(order_id) or abort(404)


def find_own_order(order_id: uuid.UUID) -> Order | None:
    return find_order_of(current_user.id, order_id)


def find_order_of(user_id: int, order_id: uuid.UUID) -> Order | None:
    """`user_id`'s order, or None: someone else's is as absent as one that does not exist."""
    return db.session.scalar(select(Order).where(Order.id == order_id, Order.user_id == user_id))


MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class ListingArgs:
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
    """The summary of one loaded order (the list reads them in its query)."""
    return ItemSummary(order.items[0].name, len(order.items)) if order.items else None


@dataclass(frozen=True)
class OrderStats:
    """The summary above the list; "this month" is the calendar month in UTC."""

    in_progress: int
    done_this_month: int
    spent_this_month: Decimal
    # For the status filters: how many orders each shows (with the search, if any), "" for all.
    by_status: dict[str, int] = field(default_factory=dict)


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
        return {"page": self.page, **self.filters}

    @property
    def filters(self) -> dict:
        shown = {"status": self.status, "q": self.search}
        return {name: value for name, value in shown.items() if value}


def parse_listing_args(args) -> ListingArgs:
    """From a query string: nonsense falls back to the defaults, a long search is trimmed."""
    status = one_of(args, "status", OrderStatus.LABELS)
    return ListingArgs(page_number(args), status, plain_text(args, "q", MAX_SEARCH_LENGTH))


ID_PREFIX = re.compile(r"[0-9a-f-]{1,36}")


def search_condition(search: str):
    """Orders holding a service whose name contains `search`, or whose id starts with it (with
    or without the list's leading # or №). Wildcards are taken literally."""
    text = search.lower()
    name_has = func.lower(OrderItem.name).contains(text, autoescape=True)
    by_name = exists().where(OrderItem.order_id == Order.id, name_has)
    prefix = text.lstrip("#№")
    if not ID_PREFIX.fullmatch(prefix):
        return by_name
    return or_(by_name, cast(Order.id, Text).startswith(prefix, autoescape=True))


# An order's first service and how many it holds, as correlated subqueries: built once.
ITS_ITEMS = OrderItem.order_id == Order.id
FIRST_ITEM = (
    select(OrderItem.name)
    .where(ITS_ITEMS)
    .order_by(OrderItem.position, OrderItem.id)
    .limit(1)
    .scalar_subquery()
)
ITEM_COUNT = select(func.count()).where(ITS_ITEMS).scalar_subquery()
NEWEST = (Order.created_at.desc(), Order.id.desc())


def newest_with_summaries(*conditions, shown=(Order,)):
    """Orders newest first, each with its first service and how many it holds (no query per row).
    `shown`: the whole Order, or only some of its columns (no ORM object to build per row)."""
    listed = select(*shown, FIRST_ITEM, ITEM_COUNT).where(*conditions)
    return listed.select_from(Order).order_by(*NEWEST)


def list_orders(user_id: int, args: ListingArgs, per_page: int) -> OrdersPage:
    """One page of the user's orders (served by ix_orders_user_created), with the stats."""
    conditions = [Order.user_id == user_id]
    if args.status:
        conditions.append(Order.status == args.status)
    if args.search:
        conditions.append(search_condition(args.search))
    total = db.session.scalar(select(func.count()).select_from(Order).where(*conditions))
    pages = max(1, math.ceil(total / per_page))
    page = min(args.page, pages)
    listed = newest_with_summaries(*conditions).limit(per_page).offset((page - 1) * per_page)
    rows = db.session.execute(listed).all()
    summaries = {o.id: ItemSummary(first, count) for o, first, count in rows if first}
    orders = [order for order, _, _ in rows]
    stats = order_stats(user_id, search_condition(args.search) if args.search else None)
    return OrdersPage(orders, page, pages, total, args.status, args.search, summaries, stats)


@dataclass(frozen=True)
class Filters:
    """The API's listing: by status, text (as the dashboard's search) and creation time."""

    status: str | None = None
    search: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None


SUMMARY_COLUMNS = (
    *(Order.id, Order.status, Order.revision, Order.price, Order.tax, Order.gross),
    *(Order.created_at, Order.updated_at),
)


def orders_after(
    user_id: int, filters: Filters, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list:
    """Up to `limit` orders newest first, after the (created_at, id) `after`: a keyset page,
    stable while new orders arrive (served by ix_orders_user_created). Rows of SUMMARY_COLUMNS,
    then the first service's name and how many the order holds."""
    conditions = [Order.user_id == user_id]
    if filters.status:
        conditions.append(Order.status == filters.status)
    if filters.search:
        conditions.append(search_condition(filters.search))
    if filters.created_after:
        conditions.append(Order.created_at >= filters.created_after)
    if filters.created_before:
        conditions.append(Order.created_at < filters.created_before)
    if after:
        conditions.append(tuple_(Order.created_at, Order.id) < tuple_(*after))
    listed = newest_with_summaries(*conditions, shown=SUMMARY_COLUMNS).limit(limit)
    return db.session.execute(listed).all()


def open_drafts(user_id: int, most: int = 10) -> list[tuple[Order, ItemSummary | None]]:
    drafts = newest_with_summaries(Order.user_id == user_id, Order.status == OrderStatus.DRAFT)
    rows = db.session.execute(drafts.limit(most)).all()
    return [(order, ItemSummary(first, count) if first else None) for order, first, count in rows]


def order_stats(user_id: int, search=None) -> OrderStats:
    """The summary, and each status filter's count (of the orders the search finds, if any)."""
    month = func.date_trunc("month", func.now(), "UTC")
    done_this_month = and_(Order.status == OrderStatus.DONE, Order.updated_at >= month)
    found = true() if search is None else search
    statuses = list(OrderStatus.LABELS)
    row = db.session.execute(
        select(
            func.count().filter(Order.status.in_((OrderStatus.SENDING, OrderStatus.IN_PROCESSING))),
            func.count().filter(done_this_month),
            func.coalesce(func.sum(Order.gross).filter(done_this_month), 0),
            func.count().filter(found),
            *(func.count().filter(found, Order.status == status) for status in statuses),
        ).where(Order.user_id == user_id)
    ).one()
    by_status = dict(zip(["", *statuses], row[3:], strict=True))
    return OrderStats(row[0], row[1], Decimal(row[2]), by_status)
