"""The outbox: just before a transaction commits, every status change noted in it (see
app/orders/transitions.py) becomes one event row per endpoint that asked for it, in that same
transaction, so an event exists exactly when its change does. Once committed, each event's
first delivery job is queued; a job that never reached Redis is found by the sweep."""

import json
import logging
import uuid

import redis
from sqlalchemy import text
from sqlalchemy.orm import Session, SessionTransaction

from app.orders.transitions import noted
from app.webhooks.events import change_data, event_type

log = logging.getLogger(__name__)

WRITTEN_KEY = "webhook_changes_written"  # how many noted changes already have their rows
QUEUED_KEY = "webhook_events_to_queue"

INSERT_EVENTS = text(
    """
    INSERT INTO webhook_events (id, endpoint_id, user_id, event_type, order_id, payload)
    SELECT gen_random_uuid(), e.id, w.user_id, w.event_type, w.order_id, w.payload
    FROM unnest(
        CAST(:users AS integer[]), CAST(:types AS text[]),
        CAST(CAST(:orders AS text[]) AS uuid[]), CAST(CAST(:payloads AS text[]) AS jsonb[])
    ) WITH ORDINALITY AS w(user_id, event_type, order_id, payload, position)
    JOIN webhook_endpoints e
      ON e.user_id = w.user_id AND e.enabled AND w.event_type = ANY(e.event_types)
    ORDER BY w.position
    RETURNING id
    """
)


def write_events(session: Session) -> None:
    """Before commit: the rows for the changes noted since the last time (a commit can fail
    and be retried in a new transaction; then its changes are gone, see `forget`)."""
    changes = noted(session)
    start = session.info.get(WRITTEN_KEY, 0)
    session.info[WRITTEN_KEY] = len(changes)
    rows = [(change, kind) for change in changes[start:] if (kind := event_type(change))]
    if not rows:
        return
    params = {
        "users": [change.user_id for change, _ in rows],
        "types": [kind for _, kind in rows],
        "orders": [str(change.order_id) for change, _ in rows],
        "payloads": [json.dumps(change_data(change)) for change, _ in rows],
    }
    ids = session.execute(INSERT_EVENTS, params).scalars().all()
    session.info.setdefault(QUEUED_KEY, []).extend(ids)


def queue_written(session: Session) -> None:
    """After the whole transaction commits: queue the first attempt of each new event."""
    if session.in_nested_transaction():
        return
    session.info.pop(WRITTEN_KEY, None)
    queue_first_attempts(session.info.pop(QUEUED_KEY, []))


def forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WRITTEN_KEY, None)
        session.info.pop(QUEUED_KEY, None)


def queue_first_attempts(event_ids: list[uuid.UUID]) -> None:
    """Queue one job for the first attempts of all the events of a commit (a sync batch may
    write hundreds), so the transaction waits for one write to Redis, and the job makes the
    attempts side by side. With Redis down the sweep queues them later."""
    if not event_ids:
        return
    from app.webhooks.delivery import enqueue_batch, enqueue_deliveries

    try:
        if len(event_ids) == 1:
            enqueue_deliveries(event_ids)
        else:
            enqueue_batch(event_ids)
    except redis.RedisError as error:
        log.warning("%d webhook deliveries left to the sweep (Redis): %s", len(event_ids), error)
