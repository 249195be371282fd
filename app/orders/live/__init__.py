"""Live updates: every committed order change is published to the owner's Redis channel, and
each open dashboard or order page listens to its own user's changes over server-sent events.

This is the only place that publishes: a hook on the database session sends the changes the
state machine noted (`app.orders.transitions`: status changes, and a draft's new revision or its
deletion, noted by `app.orders.drafts`) once their transaction has committed.

Streams are cheap: they share one subscription per process (`live_hub`), a user holds at most
LIVE_STREAMS_PER_USER of them across all processes (`live_slots`), and a stream ends, freeing
its slot, as soon as its client leaves. `streams_open()` counts this process's streams.

A stream ends with its login (`live_logins`). Its last event, `login-ended`, tells the page to
stop listening (`sse-close`) and go to the login page; a request for a stream without a live
login gets only that event, so a page whose login ended never keeps trying.
"""

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
from app.orders.live.hub import GONE, Hub, Listener, client_socket, watch_client
from app.orders.live.logins import StreamLogin, announce_ended
from app.orders.live.slots import take_slot
from app.orders.transitions import Change, take_noted

log = logging.getLogger(__name__)

EVENT_NAME = "order-changed"
LOGIN_ENDED = "login-ended"
KEEP_ALIVE_SECONDS = 15


def user_channel(user_id: int) -> str:
    return f"{current_app.config['LIVE_CHANNEL_PREFIX']}orders:user:{user_id}"


def change_message(change: Change) -> str:
    """What a page is told of a change: the order, its status and its content's revision, and
    `"deleted": true` when the order is gone. An open draft compares them with the revision it
    was drawn from."""
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
    """After a commit of the whole transaction (not a savepoint's): publish its order changes
    and the logins it ended. (The app uses no savepoints; a change noted inside one waits for
    the outer commit.)"""
    if session.in_nested_transaction():
        return
    publish_changes(take_noted(session))
    announce_ended(take_ended(session))


def forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """When a transaction ends without a commit (rollback, close), its changes never happened."""
    if transaction.parent is None:
        take_noted(session)
        take_ended(session)


SESSION_HOOKS = (("after_commit", publish_committed), ("after_transaction_end", forget_uncommitted))


def init_app(app: Flask) -> None:
    """Publish committed changes (the hooks are registered once per process), and give the
    process its hub: one Redis subscription fanned out to the streams it serves."""
    for name, hook in SESSION_HOOKS:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
    app.extensions["live_hub"] = Hub(app)


def sse_event(data: str, event: str | None = None) -> str:
    """One server-sent event; every line of `data` gets its own `data:` field."""
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def streams_open() -> int:
    """How many event streams this process serves now."""
    return current_app.extensions["live_hub"].count()


def login_ended_answer() -> str:
    """All a request without a live login gets instead of a stream: the page stops listening."""
    return sse_event("", LOGIN_ENDED)


def open_stream(user: User) -> "EventStream | None":
    """The event stream for the logged-in `user`'s channel, under their current login, or None
    (the page then polls) when the user already has LIVE_STREAMS_PER_USER streams, this process
    serves LIVE_MAX_STREAMS, or Redis is down. The channel comes from the session's user, never
    from the client."""
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
    sock = client_socket(request.environ)
    if sock is not None:
        watch_client(sock, listener, lifetime)
    return EventStream(hub, listener, time.monotonic() + lifetime)


def stream_lifetime(config) -> float:
    """Seconds before the browser is asked to reconnect: LIVE_STREAM_SECONDS, shortened by up
    to LIVE_STREAM_JITTER of it at random, so tabs opened together do not all reconnect in the
    same second (a thousand at once lost some deliveries in the benchmark)."""
    seconds = config["LIVE_STREAM_SECONDS"]
    return seconds * (1 - random.uniform(0, config["LIVE_STREAM_JITTER"]))


class EventStream:
    """A response body that forwards the user's changes as events until the deadline (the
    browser then reconnects), until its client leaves, or until its login ends (a last
    `login-ended` event, and the page stops listening). Its `close`, which the server always
    calls, frees the stream's slot even when the body was never read (a HEAD request, a client
    gone before the first event): a generator's `finally` would not run then."""

    def __init__(self, hub: Hub, listener: Listener, deadline: float):
        self.hub, self.listener, self.deadline = hub, listener, deadline
        self.open = True
        metrics.stream_opened()

    def __iter__(self) -> Iterator[str]:
        try:
            yield "retry: 3000\n\n"
            while (left := self.deadline - time.monotonic()) > 0:
                data = self.listener.next(timeout=min(KEEP_ALIVE_SECONDS, left))
                if data is GONE:
                    if self.listener.login_ended:
                        yield login_ended_answer()
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
