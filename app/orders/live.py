"""Live updates: every committed order change is published to the owner's Redis channel, and
each open dashboard or order page listens to its own user's channel over server-sent events.

This is the only place that publishes: a hook on the database session sends the changes the
state machine noted (`app.orders.transitions`) once their transaction has committed.
"""

import json
import logging
import threading
import time
from collections.abc import Iterator

import redis
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db, get_redis
from app.orders.transitions import take_noted

log = logging.getLogger(__name__)

EVENT_NAME = "order-changed"


def user_channel(user_id: int) -> str:
    return f"{current_app.config['LIVE_CHANNEL_PREFIX']}orders:user:{user_id}"


def publish_changes(changes: list[tuple[int, object, str]]) -> None:
    """Publish (user id, order id, new status) triples; a Redis outage only costs a refresh."""
    if not changes:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for user_id, order_id, status in changes:
            message = json.dumps({"order_id": str(order_id), "status": status})
            pipe.publish(user_channel(user_id), message)
        pipe.execute()
    except redis.RedisError as error:
        log.warning("live update not published (Redis): %s", error)


def publish_committed(session: Session) -> None:
    """After a commit of the whole transaction (not a savepoint's): publish its order changes.
    (The app uses no savepoints; a change noted inside one waits for the outer commit.)"""
    if session.in_nested_transaction():
        return
    changes = take_noted(session)
    publish_changes([(c.user_id, c.order_id, c.to_status) for c in changes])


def forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """When a transaction ends without a commit (rollback, close), its changes never happened."""
    if transaction.parent is None:
        take_noted(session)


SESSION_HOOKS = (("after_commit", publish_committed), ("after_transaction_end", forget_uncommitted))


def init_app(app: Flask) -> None:
    """Publish committed changes (the hooks are registered once per process), and bound the
    number of open streams."""
    for name, hook in SESSION_HOOKS:
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
    init_stream_slots(app)


def sse_event(data: str, event: str | None = None) -> str:
    """One server-sent event; every line of `data` gets its own `data:` field."""
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def init_stream_slots(app: Flask) -> None:
    """Each open stream holds a server thread, so a process serves a bounded number of them."""
    app.extensions["live_slots"] = threading.BoundedSemaphore(app.config["LIVE_MAX_STREAMS"])


def open_stream(user_id: int) -> Iterator[str] | None:
    """The event stream for this user's channel, or None when no slot or no Redis is free.

    The channel comes from the session's user, never from the client.
    """
    slots = current_app.extensions["live_slots"]
    if not slots.acquire(blocking=False):
        return None
    try:
        pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(user_channel(user_id))
    except redis.RedisError as error:
        slots.release()
        log.warning("live updates unavailable (Redis): %s", error)
        return None
    lifetime = current_app.config["LIVE_STREAM_SECONDS"]
    return EventStream(pubsub, slots, time.monotonic() + lifetime)


class EventStream:
    """A response body that forwards channel messages as events until the deadline (the browser
    then reconnects). Its `close`, which the server always calls, gives the slot and the
    subscription back even when the body was never read (a HEAD request, a client gone before
    the first event): a generator's `finally` would not run then."""

    def __init__(self, pubsub, slots, deadline: float):
        self.pubsub, self.slots, self.deadline = pubsub, slots, deadline
        self.open = True

    def __iter__(self) -> Iterator[str]:
        try:
            yield "retry: 3000\n\n"
            while self.open and time.monotonic() < self.deadline:
                wait = min(15.0, max(0.1, self.deadline - time.monotonic()))
                message = self.pubsub.get_message(timeout=wait)
                if message is None:
                    yield ": keep-alive\n\n"
                else:
                    yield sse_event(message["data"].decode(), EVENT_NAME)
        except redis.RedisError as error:
            log.info("live stream ended (Redis): %s", error)
        finally:
            self.close()

    def close(self) -> None:
        if self.open:
            self.open = False
            self.pubsub.close()
            self.slots.release()
