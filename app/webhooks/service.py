"""What the account page and the API do with webhooks: each function acts for one account
and never sees another's endpoints or deliveries (another's id is simply not found)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.webhooks.addresses import AddressRefused, check_endpoint, local_allowed
from app.webhooks.events import ORDER_TYPES, TEST, test_data
from app.webhooks.models import EventState, WebhookAttempt, WebhookEndpoint, WebhookEvent
from app.webhooks.outbox import QUEUED_KEY
from app.webhooks.signing import new_secret

MESSAGES = {
    "too_long": _l("That address is too long."),
    "bad_url": _l("Enter a full address, such as https://example.com/hooks."),
    "not_https": _l("The address must start with https://."),
    "unresolvable": _l("That address's host name could not be found."),
    "private_address": _l("That address leads to a private or local network, which we never call."),
    "no_events": _l("Choose at least one event."),
    "unknown_event": _l("That is not an event we send."),
    "too_many": _l("An account can have at most %(num)d endpoints."),
}


class EndpointError(ValueError):
    """Input refused, nothing changed: `code` is stable, `field` names the input, `message`
    is in the reader's language."""

    def __init__(self, code: str, field: str, **params):
        super().__init__(code)
        self.code, self.field, self.params = code, field, params

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])


class NotFound(LookupError):
    """No such endpoint or event in this account."""


def allow_local() -> bool:
    return local_allowed(current_app.config)


def checked_url(url: str) -> str:
    url = (url or "").strip()
    try:
        check_endpoint(url, allow_local())
    except AddressRefused as error:
        raise EndpointError(error.code, "url") from None
    return url


def checked_types(types: list[str]) -> list[str]:
    if not types:
        raise EndpointError("no_events", "event_types")
    if any(kind not in ORDER_TYPES for kind in types):
        raise EndpointError("unknown_event", "event_types")
    return [kind for kind in ORDER_TYPES if kind in types]  # in their usual order, once


def list_endpoints(user_id: int) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.user_id == user_id)
    return list(db.session.scalars(query.order_by(WebhookEndpoint.created_at)))


def get_endpoint(user_id: int, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user_id:
        raise NotFound(endpoint_id)
    return endpoint


def create_endpoint(user_id: int, url: str, event_types: list[str]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown once: it is kept to sign, never shown again)."""
    url, event_types = checked_url(url), checked_types(event_types)
    most = current_app.config["WEBHOOK_ENDPOINTS_PER_ACCOUNT"]
    count = select(func.count()).where(WebhookEndpoint.user_id == user_id)
    if db.session.scalar(count) >= most:
        raise EndpointError("too_many", "url", num=most)
    secret = new_secret()
    endpoint = WebhookEndpoint(user_id=user_id, url=url, event_types=event_types, secret=secret)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint, secret


def update_endpoint(
    user_id: int,
    endpoint_id: uuid.UUID,
    url: str | None = None,
    event_types: list[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    endpoint = get_endpoint(user_id, endpoint_id)
    if url is not None:
        endpoint.url = checked_url(url)
    if event_types is not None:
        endpoint.event_types = checked_types(event_types)
    if enabled is not None:
        set_enabled(endpoint, enabled)
    db.session.commit()
    return endpoint


def set_enabled(endpoint: WebhookEndpoint, enabled: bool) -> None:
    """Disabled by its owner, or enabled again: its waiting events are then due at once."""
    if enabled == endpoint.enabled:
        return
    endpoint.enabled = enabled
    if not enabled:
        endpoint.disabled_reason, endpoint.disabled_at = "by_owner", func.now()
        return
    endpoint.disabled_reason = endpoint.disabled_error = endpoint.disabled_at = None
    endpoint.failing_since = None
    waiting = db.session.scalars(
        update(WebhookEvent)
        .where(WebhookEvent.endpoint_id == endpoint.id, WebhookEvent.state == EventState.PENDING)
        .values(next_attempt_at=func.now(), claimed_until=None)
        .returning(WebhookEvent.id)
    ).all()
    queue_after_commit(waiting)


def delete_endpoint(user_id: int, endpoint_id: uuid.UUID) -> None:
    """The endpoint with its events and their log (a job still queued then finds nothing)."""
    get_endpoint(user_id, endpoint_id)
    db.session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))
    db.session.commit()


def rotate_secret(user_id: int, endpoint_id: uuid.UUID) -> str:
    """A new secret; the old one still signs too for WEBHOOK_SECRET_OVERLAP_SECONDS."""
    endpoint = get_endpoint(user_id, endpoint_id)
    overlap = timedelta(seconds=current_app.config["WEBHOOK_SECRET_OVERLAP_SECONDS"])
    secret = new_secret()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, func.now() + overlap
    endpoint.secret = secret
    db.session.commit()
    return secret


def fire_test(user_id: int, endpoint_id: uuid.UUID) -> WebhookEvent:
    """A `webhook.test` event for this endpoint alone, delivered like any other."""
    endpoint = get_endpoint(user_id, endpoint_id)
    event = WebhookEvent(
        id=uuid.uuid4(),
        endpoint_id=endpoint.id,
        user_id=user_id,
        event_type=TEST,
        payload=test_data(),
    )
    db.session.add(event)
    db.session.flush()
    queue_after_commit([event.id])
    db.session.commit()
    return event


def redeliver(user_id: int, event_id: uuid.UUID) -> WebhookEvent:
    """Send an event again, delivered or not (at least once means receivers expect repeats)."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None or event.user_id != user_id:
        raise NotFound(event_id)
    event.state, event.finished_at = EventState.PENDING, None
    event.next_attempt_at, event.claimed_until = func.now(), None
    queue_after_commit([event.id])
    db.session.commit()
    return event


def queue_after_commit(event_ids: list[uuid.UUID]) -> None:
    db.session.info.setdefault(QUEUED_KEY, []).extend(event_ids)


@dataclass(frozen=True)
class Delivery:
    """One attempt as the log shows it, with its event."""

    attempt: WebhookAttempt
    event: WebhookEvent


def list_deliveries(
    user_id: int, endpoint_id: uuid.UUID, limit: int = 50, before: int | None = None
) -> list[Delivery]:
    """The endpoint's attempts, newest first (`before`: an attempt id, for the next page)."""
    get_endpoint(user_id, endpoint_id)
    query = (
        select(WebhookAttempt, WebhookEvent)
        .join(WebhookEvent, WebhookAttempt.event_id == WebhookEvent.id)
        .where(WebhookAttempt.endpoint_id == endpoint_id, WebhookEvent.user_id == user_id)
        .order_by(WebhookAttempt.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(WebhookAttempt.id < before)
    return [Delivery(attempt, event) for attempt, event in db.session.execute(query)]


def list_events(user_id: int, endpoint_id: uuid.UUID, limit: int = 50) -> list[WebhookEvent]:
    """The endpoint's events, newest first, with their state."""
    get_endpoint(user_id, endpoint_id)
    query = (
        select(WebhookEvent)
        .where(WebhookEvent.endpoint_id == endpoint_id, WebhookEvent.user_id == user_id)
        .order_by(WebhookEvent.sequence.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def overlap_ends(endpoint: WebhookEndpoint, now: datetime) -> datetime | None:
    """When the previous secret stops signing, if it still does."""
    until = endpoint.previous_secret_until
    return until if endpoint.previous_secret and until is not None and until > now else None
