"""Live updates: a session hook publishes every committed order change to its owner's Redis
channel, and each open page listens to its own user's changes over server-sent events. The
streams share one subscription per process (`hub`), are capped per user (`slots`) and end with
their login (`logins`): a last `login-ended` event sends the page to the login page."""

import json
import logging
import random
import time
from collections.abc import Iterator

import redis
from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app import metrics
from app.auth.sessions import digest
from app.ended_logins import take_ended
from app.extensions import db, get_redis
from app.models import User
from app.orders.live.hub import GONE, Hub, Listener, watch_client
from app.orders.live.logins import StreamLogin, announce_ended
from app.orders.live.slots import take_slot
from app.orders.transitions import Change, take_noted

log = logging.getLogger(__name__)

EVENT_NAME = "order-changed"
LOGIN_ENDED = "login-ended"
KEEP_ALIVE_SECONDS = 15
RECONNECT_MS = 3000  # how long the browser waits before opening a stream again
RECONNECT_ELSEWHERE_MS = 250  # the same, when this process is stopping (a deploy)
SUBSCRIBED_WITHIN_SECONDS = 5  # a stream opens once the process hears its changes, or after this


def user_channel(user_id: int) -> str:
    return f"{current_app.config['LIVE_CHANNEL_PREFIX']}orders:user:{user_id}"


def change_message(change: Change) -> str:
    """The order, its status and its revision (which an open draft compares with its own)."""
    message: dict = {
        "order_id": str(change.order_id),
        "status": change.to_status,
        "revision": change.revision,
    }
    if change.deleted:
        message["deleted"] = True
    return json.dumps(message)


def publish_changes(changes: list[Change]) -> None:
    """Publish each change to its owner's channel; a Redis outage only costs a refresh."""
    if not changes:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for change in changes:
            pipe.publish(user_channel(change.user_id), change_message(change))
        pipe.execute()
    except redis.RedisError as error:
        log.warning("live update not published (Redis): %s", error)


def publish_committed(session: Session) -> None:
    """After a whole transaction commits (not a savepoint): publish its changes and ended logins."""
    if session.in_nested_transaction():
        return
    publish_changes(take_noted(session))
    announce_ended(take_ended(session))


def forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """When a transaction ends without a commit (rollback, close), its changes never happened."""
    if transaction.parent is None:
        take_noted(session)
        take_ended(session)


def init_app(app: Flask) -> None:
    """Publish committed changes (hooks registered once per process); give the process its hub."""
    hooks = {"after_commit": publish_committed, "after_transaction_end": forget_uncommitted}
    for name, hook in hooks.items():
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
    app.extensions["live_hub"] = Hub(app)


def sse_event(data: str, event: str | None = None) -> str:
    """One server-sent event; every line of `data` gets its own `data:` field."""
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def login_ended_answer() -> str:
    """All a request without a live login gets instead of a stream: the page stops listening."""
    return sse_event("", LOGIN_ENDED)


def open_stream(user: User) -> "EventStream | None":
    """The event stream of the logged-in `user` (never a channel the client names), or None
    (the page then polls) when the user or this process holds its most streams, or Redis is down."""
    hub = current_app.extensions["live_hub"]
    if hub.count() >= current_app.config["LIVE_MAX_STREAMS"]:
        return None
    try:
        slot = take_slot(user.id)
    except redis.RedisError as error:
        log.warning("live updates unavailable (Redis): %s", error)
        return None
    if slot is None:
        return None
    login = StreamLogin(digest(user.session_token), user.session_expires_at)
    listener = Listener(user.id, login, slot)
    hub.join(listener)
    lifetime = stream_lifetime(current_app.config)
    watch_client(request.environ, listener, lifetime)
    return EventStream(hub, listener, time.monotonic() + lifetime)


def stream_lifetime(config) -> float:
    """Seconds before the browser is asked to reconnect, shortened at random so that tabs opened
    together do not all reconnect at once (a thousand at once lost deliveries in the benchmark)."""
    return config["LIVE_STREAM_SECONDS"] * (1 - random.uniform(0, config["LIVE_STREAM_JITTER"]))


class EventStream:
    """A response body forwarding the user's changes until the deadline, its client leaves or its
    login ends. The server always calls `close`, which frees the slot even when the body was never
    read (a HEAD request, a client gone at once): a generator's `finally` would not run then."""

    def __init__(self, hub: Hub, listener: Listener, deadline: float):
        self.hub, self.listener, self.deadline = hub, listener, deadline
        self.open = True
        metrics.stream_opened()

    def __iter__(self) -> Iterator[str]:
        try:
            # The page refreshes its live parts when its stream opens; opened before the process's
            # subscription is confirmed, a change published in between would pass the page by.
            if not self.listener.ended:  # ended at once by a stopping process: no wait
                self.hub.listening.wait(timeout=SUBSCRIBED_WITHIN_SECONDS)
            yield f"retry: {RECONNECT_MS}\n\n"
            while (left := self.deadline - time.monotonic()) > 0:
                data = self.listener.next(timeout=min(KEEP_ALIVE_SECONDS, left))
                if data is GONE:
                    if self.listener.login_ended:
                        yield login_ended_answer()
                    elif self.hub.stopping:
                        yield f"retry: {RECONNECT_ELSEWHERE_MS}\n\n"
                    return
                yield ": keep-alive\n\n" if data is None else sse_event(data, EVENT_NAME)
        finally:
            self.close()

    def close(self) -> None:
        if not self.open:
            return
        self.open = False
        self.hub.leave(self.listener)
        metrics.stream_closed()
        try:
            self.listener.slot.give_back()
        except redis.RedisError as error:
            log.info("stream slot left to expire (Redis): %s", error)
