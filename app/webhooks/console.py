"""What the operators' console shows of webhooks: the delivery backlog and failing endpoints."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Text, cast, func, literal, select

from app.extensions import db
from app.models import User
from app.webhooks.delivery import backlog
from app.webhooks.models import EventState, WebhookAttempt, WebhookEndpoint, WebhookEvent


@dataclass(frozen=True)
class FailingEndpoint:
    endpoint: WebhookEndpoint
    email: str
    waiting: int
    last_error: str | None


@dataclass(frozen=True)
class Backlog:
    waiting: int  # events of enabled endpoints not delivered yet
    oldest_due_seconds: float
    retrying: int  # of which at least one attempt failed
    gave_up_today: int


def delivery_backlog() -> Backlog:
    waiting, oldest = backlog()
    retrying = db.session.scalar(
        select(func.count()).where(
            WebhookEvent.state == EventState.PENDING, WebhookEvent.attempts > 0
        )
    )
    gave_up = db.session.scalar(
        select(func.count()).where(
            WebhookEvent.state == EventState.FAILED,
            WebhookEvent.finished_at > func.now() - timedelta(days=1),
        )
    )
    return Backlog(waiting, oldest, retrying, gave_up)


def failing_endpoints(limit: int = 100) -> list[FailingEndpoint]:
    """Endpoints failing now or disabled for failing, the longest failing first."""
    waiting = (
        select(func.count())
        .where(
            WebhookEvent.endpoint_id == WebhookEndpoint.id, WebhookEvent.state == EventState.PENDING
        )
        .scalar_subquery()
    )
    last_error = (
        select(
            func.coalesce(
                literal("HTTP ") + cast(WebhookAttempt.status_code, Text), WebhookAttempt.error
            )
        )
        .where(WebhookAttempt.endpoint_id == WebhookEndpoint.id)
        .order_by(WebhookAttempt.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(WebhookEndpoint, User.email, waiting, last_error)
        .join(User, User.id == WebhookEndpoint.user_id)
        .where(
            WebhookEndpoint.failing_since.is_not(None)
            | (WebhookEndpoint.disabled_reason == "failing")
        )
        .order_by(WebhookEndpoint.failing_since.asc().nulls_last())
        .limit(limit)
    ).all()
    return [FailingEndpoint(*row) for row in rows]


def failing_for(endpoint: WebhookEndpoint, now: datetime) -> float | None:
    since = endpoint.failing_since
    return None if since is None else (now - since).total_seconds()
