"""The console's reads: the orders that need a human, every order with filters, one order.

What needs a human, most urgent first:
- a send unconfirmed for OPS_SEND_UNCONFIRMED_SECONDS (still `sending`, no provider id), or
  flagged for a person by the send itself (app/orders/sending/outcomes.py);
- an order the provider no longer knows (its last status check was a 404);
- an order whose status checks failed OPS_CHECK_FAILURES_ALERT times in a row;
- an order the provider finished after it was cancelled here.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus, ProviderCall, User
from app.query_args import one_of, page_number, plain_text

UNCONFIRMED_SEND = "unconfirmed_send"
UNKNOWN_TO_PROVIDER = "unknown_to_provider"
FAILING_CHECKS = "failing_checks"
FINISHED_AFTER_CANCEL = "finished_after_cancel"
ATTENTION_LABELS = {
    UNCONFIRMED_SEND: _l("Send unconfirmed"),
    UNKNOWN_TO_PROVIDER: _l("Provider does not know it"),
    FAILING_CHECKS: _l("Status checks failing"),
    FINISHED_AFTER_CANCEL: _l("Provider finished it after a cancel"),
}
AGES = {
    "": (_l("Any age"), None, None),
    "lt1h": (_l("Under an hour"), None, timedelta(hours=1)),
    "gt1h": (_l("Over an hour"), timedelta(hours=1), None),
    "gt1d": (_l("Over a day"), timedelta(days=1), None),
    "gt7d": (_l("Over a week"), timedelta(days=7), None),
}
ATTENTION_LIMIT = 100
MAX_CUSTOMER_LENGTH = 254  # the longest email


def sending_since():
    """When the order last went to `sending` (retries keep `updated_at` moving)."""
    latest = (
        select(func.max(OrderEvent.created_at))
        .where(OrderEvent.order_id == Order.id, OrderEvent.to_status == OrderStatus.SENDING)
        .correlate(Order)
        .scalar_subquery()
    )
    return func.coalesce(latest, Order.updated_at)


def last_check_outcome():
    return (
        select(ProviderCall.outcome)
        .where(ProviderCall.order_id == Order.id, ProviderCall.kind == "check")
        .order_by(ProviderCall.id.desc())
        .limit(1)
        .correlate(Order)
        .scalar_subquery()
    )


def attention_conditions() -> dict[str, object]:
    config = current_app.config
    unconfirmed_after = timedelta(seconds=config["OPS_SEND_UNCONFIRMED_SECONDS"])
    check_failed = and_(
        Order.status == OrderStatus.IN_PROCESSING,
        Order.check_failures > 0,
    )
    not_found = func.coalesce(last_check_outcome(), "") == "not_found"
    return {
        UNCONFIRMED_SEND: and_(
            Order.status == OrderStatus.SENDING,
            Order.external_uuid.is_(None),
            or_(
                Order.needs_attention_since.is_not(None),  # flagged by the send itself
                sending_since() <= func.now() - unconfirmed_after,
            ),
        ),
        UNKNOWN_TO_PROVIDER: and_(check_failed, not_found),
        FAILING_CHECKS: and_(
            check_failed, Order.check_failures >= config["OPS_CHECK_FAILURES_ALERT"], ~not_found
        ),
        FINISHED_AFTER_CANCEL: and_(
            Order.status == OrderStatus.CANCELLED, Order.after_cancel_state == OrderStatus.DONE
        ),
    }


@dataclass(frozen=True)
class AttentionRow:
    order: Order
    email: str
    kind: str

    @property
    def label(self) -> str:
        return ATTENTION_LABELS[self.kind]


def attention_kind_expression(conditions: dict):
    return case(*((condition, kind) for kind, condition in conditions.items()), else_=None)


def needing_attention(limit: int = ATTENTION_LIMIT) -> list[AttentionRow]:
    """The orders that need a human, by kind in the order above, oldest first."""
    conditions = attention_conditions()
    kind = attention_kind_expression(conditions).label("kind")
    priority = case({k: i for i, k in enumerate(conditions)}, value=kind)
    rows = db.session.execute(
        select(Order, User.email, kind)
        .join(User, Order.user_id == User.id)
        .where(or_(*conditions.values()))
        .order_by(priority, Order.updated_at)
        .limit(limit)
    ).all()
    return [AttentionRow(order, email, kind) for order, email, kind in rows]


def attention_of(order: Order) -> str | None:
    """Which kind of attention this one order needs, if any."""
    kind = attention_kind_expression(attention_conditions())
    return db.session.scalar(select(kind).where(Order.id == order.id))


@dataclass(frozen=True)
class Filters:
    status: str = ""
    customer: str = ""
    age: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Unknown values fall back to "any", as on the customer's dashboard."""
        return cls(
            status=one_of(args, "status", OrderStatus.LABELS),
            customer=plain_text(args, "customer", MAX_CUSTOMER_LENGTH),
            age=one_of(args, "age", AGES),
            page=page_number(args),
        )

    def query(self, **changes) -> dict:
        values = {"status": self.status, "customer": self.customer, "age": self.age}
        values.update(changes)
        return {key: value for key, value in values.items() if value}

    def conditions(self) -> list:
        found = []
        if self.status:
            found.append(Order.status == self.status)
        if self.customer:
            escaped = self.customer.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(User.email.ilike(f"%{escaped}%"))
        _, older_than, younger_than = AGES[self.age]
        if older_than is not None:
            found.append(Order.created_at <= func.now() - older_than)
        if younger_than is not None:
            found.append(Order.created_at > func.now() - younger_than)
        return found


@dataclass(frozen=True)
class OrdersListing:
    rows: list[tuple[Order, str]]
    filters: Filters
    page: int
    pages: int
    total: int


def list_orders(filters: Filters) -> OrdersListing:
    """One page of every customer's orders matching the filters, newest first."""
    per_page = current_app.config["OPS_ORDERS_PER_PAGE"]
    base = select(Order, User.email).join(User, Order.user_id == User.id)
    base = base.where(*filters.conditions())
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(filters.page, pages)
    rows = db.session.execute(
        base.order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OrdersListing([tuple(row) for row in rows], filters, page, pages, total)


@dataclass(frozen=True)
class Story:
    order: Order
    customer: User
    calls: list[ProviderCall]
    attention: str | None
    sending_since: datetime | None

    @property
    def attention_label(self) -> str | None:
        return ATTENTION_LABELS.get(self.attention) if self.attention else None


def order_story(order_id: uuid.UUID, calls: int = 100) -> Story:
    """Everything about one order, of any customer; 404 if there is no such order."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.events).selectinload(OrderEvent.actor))
    )
    if order is None:
        abort(404)
    recent_calls = db.session.scalars(
        select(ProviderCall)
        .where(ProviderCall.order_id == order_id)
        .options(selectinload(ProviderCall.actor))
        .order_by(ProviderCall.id.desc())
        .limit(calls)
    ).all()
    since = db.session.scalar(select(sending_since()).where(Order.id == order_id))
    return Story(order, order.user, list(recent_calls), attention_of(order), since)
