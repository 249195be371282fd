"""Sending an order (at most one external order per local order), and cancelling it. The row
is the outbox: a sweep queues again the sends whose job was lost (README.md, "Life of an order")."""

import logging
import time
import uuid
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import func, or_, select

from app import reasons
from app.extensions import db
from app.logs import job_meta
from app.models import Order, OrderStatus
from app.orders.provider import get_order_client
from app.orders.sending import outcomes as send_outcomes
from app.orders.transitions import commit_transition, transition, update_orders
from app.provider_http import ProviderRejected, ProviderUnavailable
from app.queue import get_send_queue, get_send_scheduler
from app.reasons import Reason
from app.records.calls import failed_send_outcome, record_send

log = logging.getLogger(__name__)

SUBMIT_JOB = "app.orders.jobs.submit_order"


def send_job_id(order_id: uuid.UUID, attempt: int = 0) -> str:
    """One job id per order and attempt, so a repeated enqueue replaces instead of adding."""
    return f"send-order-{order_id}" + (f"-retry-{attempt}" if attempt else "")


def request_send(order_id: uuid.UUID, seen_revision: int | None = None) -> bool:
    """Flip draft → sending and enqueue the job; False if no draft of `seen_revision` any more."""
    fresh = {"seen_revision": seen_revision, **send_outcomes.FRESH_SEND}
    why = Reason(reasons.SENT_BY_CUSTOMER)
    sent = commit_transition(order_id, OrderStatus.DRAFT, OrderStatus.SENDING, why, **fresh)
    if sent:
        enqueue_send(order_id, send_job_id(order_id))
    return sent


def request_cancel(order_id: uuid.UUID) -> bool:
    """Flip in_processing → cancelled; False if it is not in processing (any more)."""
    # The provider may still finish it (it has no cancel call): the sync keeps asking.
    follow = {"follow_provider": True, "next_check_at": func.now()}
    why = Reason(reasons.CANCELLED_BY_CUSTOMER)
    processing, cancelled = OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED
    return commit_transition(order_id, processing, cancelled, why, **follow)


def enqueue_send(order_id: uuid.UUID, job_id: str, delay: float = 0) -> bool:
    """Queue (or schedule) the send job; a Redis outage leaves the row for the requeue. A retry
    runs a second after its lease ends (rq-scheduler keeps whole seconds), not to find it held."""
    job = (SUBMIT_JOB, str(order_id))
    try:
        if delay > 0:  # rq-scheduler builds its own jobs: pass the request id
            when = timedelta(seconds=delay + 1)
            get_send_scheduler().enqueue_in(when, *job, job_id=job_id, meta=job_meta())
        else:
            get_send_queue().enqueue(*job, job_id=job_id)
    except redis.RedisError as error:
        log.warning("send of order %s not queued (Redis): %s; it will be requeued", order_id, error)
        return False
    return True


def claim(order_id: uuid.UUID) -> bool:
    """Take a lease on a sending order so no other job registers it at the same time."""
    lease = timedelta(seconds=current_app.config["SEND_CLAIM_SECONDS"])
    claimed = update_orders(
        Order.id == order_id,
        *send_outcomes.UNREGISTERED,
        or_(Order.send_claimed_until.is_(None), Order.send_claimed_until <= func.now()),
        send_claimed_until=func.now() + lease,
    ).one_or_none()
    db.session.commit()
    return claimed is not None


def registration_payload(order: Order) -> dict:
    amounts = {name: float(getattr(order, name)) for name in ("price", "tax", "gross")}
    return {"services": [str(item.service_uuid) for item in order.items], **amounts}


def submit_order(order_id: uuid.UUID) -> str:
    """The job: register a claimed order at the order service; what happened."""
    if not claim(order_id):
        return "skipped: not sending, already registered, or claimed by another job"
    order = db.session.get(Order, order_id)
    client = get_order_client()
    started = time.perf_counter()
    try:
        external_uuid = client.register(registration_payload(order), order.idempotency_key)
    except ProviderRejected as error:
        record_send(order_id, "rejected", error.reason, time.perf_counter() - started)
        return send_outcomes.rejected(order, error)
    except ProviderUnavailable as error:
        call_outcome = failed_send_outcome(error)
        record_send(order_id, call_outcome, error.reason, time.perf_counter() - started)
        attempt, delay, outcome = send_outcomes.retry_later(order, error)
        if delay is not None:
            enqueue_send(order_id, send_job_id(order_id, attempt), delay)
        return outcome
    record_send(order_id, "registered", str(external_uuid), time.perf_counter() - started)
    # An order that moved on meanwhile is flagged instead, with the call's record.
    found = {"external_uuid": external_uuid, "next_check_at": func.now(), **send_outcomes.SETTLED}
    why = Reason(reasons.REGISTERED)
    if transition(order_id, OrderStatus.SENDING, OrderStatus.IN_PROCESSING, why, **found) is None:
        return send_outcomes.registered_late(order_id, external_uuid)
    db.session.commit()
    return f"registered as {external_uuid}"


def requeue_stuck_sends() -> int:
    """Queue again the sends stuck SEND_STUCK_AFTER_SECONDS, but those held for a person."""
    grace = timedelta(seconds=current_app.config["SEND_STUCK_AFTER_SECONDS"])
    due = func.coalesce(Order.send_claimed_until, Order.updated_at) < func.clock_timestamp() - grace
    stuck = db.session.execute(
        select(Order.id, Order.send_attempts)
        .where(*send_outcomes.UNREGISTERED, due, ~send_outcomes.held_for_a_person())
        .limit(1000)
    ).all()
    db.session.rollback()
    for order_id, attempts in stuck:
        enqueue_send(order_id, send_job_id(order_id, attempts) + "-requeued")
    if stuck:
        log.info("requeued %d stuck sends", len(stuck))
    return len(stuck)
