"""The console's reads: the orders that need a human, every order with filters, one order, and
the health page's facts. What needs a human, most urgent first: a send unconfirmed for
OPS_SEND_UNCONFIRMED_SECONDS or flagged by the send itself; an order the provider no longer knows
(its last check was a 404); one whose checks failed OPS_CHECK_FAILURES_ALERT times in a row; one
the provider finished after it was cancelled here."""

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.catalog.store import STALE_KEY, CatalogStore
from app.extensions import db, get_redis
from app.health import readiness
from app.metrics import recent
from app.models import Order, OrderEvent, OrderStatus, ProviderCall, User
from app.query_args import one_of, page_number, plain_text
from app.queue_info import QueueState, live_workers, queue_states
from app.records.sync_runs import SyncRun, last_run_age, last_success_age, recent_runs

ATTENTION_LABELS = {
    "unconfirmed_send": _l("Send unconfirmed"),
    "unknown_to_provider": _l("Provider does not know it"),
    "failing_checks": _l("Status checks failing"),
    "finished_after_cancel": _l("Provider finished it after a cancel"),
}
AGES = {
    "": (_l("Any age"), None, None),
    "lt1h": (_l("Under an hour"), None, timedelta(hours=1)),
    "gt1h": (_l("Over an hour"), timedelta(hours=1), None),
    "gt1d": (_l("Over a day"), timedelta(days=1), None),
    "gt7d": (_l("Over a week"), timedelta(days=7), None),
}


def sending_since():
    """When the order last went to `sending` (retries keep `updated_at` moving)."""
    latest = (
        select(func.max(OrderEvent.created_at))
        .where(OrderEvent.order_id == Order.id, OrderEvent.to_status == OrderStatus.SENDING)
        .correlate(Order)
        .scalar_subquery()
    )
    return func.coalesce(latest, Order.updated_at)


def attention_conditions() -> dict[str, object]:
    config = current_app.config
    unconfirmed_after = timedelta(seconds=config["OPS_SEND_UNCONFIRMED_SECONDS"])
    check_failed = and_(Order.status == OrderStatus.IN_PROCESSING, Order.check_failures > 0)
    last_check = (
        select(ProviderCall.outcome)
        .where(ProviderCall.order_id == Order.id, ProviderCall.kind == "check")
        .order_by(ProviderCall.id.desc())
        .limit(1)
        .correlate(Order)
        .scalar_subquery()
    )
    not_found = func.coalesce(last_check, "") == "not_found"
    return {
        "unconfirmed_send": and_(
            Order.status == OrderStatus.SENDING,
            Order.external_uuid.is_(None),
            or_(
                Order.needs_attention_since.is_not(None),  # flagged by the send itself
                sending_since() <= func.now() - unconfirmed_after,
            ),
        ),
        "unknown_to_provider": and_(check_failed, not_found),
        "failing_checks": and_(
            check_failed, Order.check_failures >= config["OPS_CHECK_FAILURES_ALERT"], ~not_found
        ),
        "finished_after_cancel": and_(
            Order.status == OrderStatus.CANCELLED,
            Order.after_cancel_state == OrderStatus.DONE,
            Order.after_cancel_acknowledged_at.is_(None),
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


def needing_attention() -> list[AttentionRow]:
    """The orders that need a human, by kind in the order above, oldest first."""
    conditions = attention_conditions()
    kind = attention_kind_expression(conditions).label("kind")
    priority = case({k: i for i, k in enumerate(conditions)}, value=kind)
    rows = db.session.execute(
        select(Order, User.email, kind)
        .join(Order.user)
        .where(or_(*conditions.values()))
        .order_by(priority, Order.updated_at)
        .limit(100)
    ).all()
    return [AttentionRow(order, email, kind) for order, email, kind in rows]


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
            customer=plain_text(args, "customer", 254),  # the longest email
            age=one_of(args, "age", AGES),
            page=page_number(args),
        )

    def query(self, **changes) -> dict:
        values = {"status": self.status, "customer": self.customer, "age": self.age, **changes}
        return {key: value for key, value in values.items() if value}

    def conditions(self) -> list:
        found = []
        if self.status:
            found.append(Order.status == self.status)
        if self.customer:
            found.append(User.email.icontains(self.customer, autoescape=True))
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
    per_page = current_app.config["OPS_ORDERS_PER_PAGE"]
    base = select(Order, User.email).join(Order.user).where(*filters.conditions())
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
        return ATTENTION_LABELS.get(self.attention)


def order_story(order_id: uuid.UUID) -> Story:
    """Everything about one order, of any customer; 404 if there is no such order."""
    attention = attention_kind_expression(attention_conditions())
    row = db.session.execute(
        select(Order, attention, sending_since())
        .where(Order.id == order_id)
        .options(selectinload(Order.events).selectinload(OrderEvent.actor))
    ).one_or_none()
    if row is None:
        abort(404)
    order, attention, since = row
    recent_calls = db.session.scalars(
        select(ProviderCall)
        .where(ProviderCall.order_id == order_id)
        .options(selectinload(ProviderCall.actor))
        .order_by(ProviderCall.id.desc())
        .limit(100)
    ).all()
    return Story(order, order.user, list(recent_calls), attention, since)


@dataclass
class Health:
    problems: dict[str, str | None]
    runs: list[SyncRun] = field(default_factory=list)
    last_run_age: float | None = None
    last_success_age: float | None = None
    queues: list[QueueState] = field(default_factory=list)
    workers: int = 0
    provider: recent.ProviderHealth | None = None
    catalog_age: float | None = None

    @property
    def ready(self) -> bool:
        return not any(self.problems.values())


def gather() -> Health:
    """Everything on the page; with Redis down, only the checks (which say so)."""
    health = Health(problems=readiness())
    if health.problems["redis"]:
        return health
    try:
        health.runs = recent_runs()
        health.last_run_age = last_run_age()
        health.last_success_age = last_success_age()
        health.queues = queue_states()
        health.workers = len(live_workers(current_app.config["READY_WORKER_SECONDS"]))
        health.provider = recent.read(get_redis())
        served = CatalogStore().load(STALE_KEY)  # the catalog copy we serve
        health.catalog_age = served.age_seconds() if served else None
    except redis.RedisError as error:
        health.problems["redis"] = _("failed while reading (%(error)s)", error=type(error).__name__)
    return health
