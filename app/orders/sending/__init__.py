"""Sending an order to processing (at most one external order per local order), and
cancelling it there: what the order buttons ask for.

The route flips draft → sending and enqueues `submit_order`. The job claims the order with a
lease, registers it with `Idempotency-Key: <order id>-r<revision>`, and flips sending →
in_processing. What a failed registration leads to is decided in `send_outcomes`. The database
row is the outbox: `requeue_stuck_sends`, every SEND_SWEEP_SECONDS, re-enqueues the sends whose
job was lost (Redis down at the click, a worker killed mid-send).
"""

import logging
import time
import uuid
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import func, or_, select, update

from app import reasons
from app.extensions import db
from app.logs import job_meta
from app.models import Order, OrderStatus
from app.orders.provider import get_order_client
from app.orders.sending import outcomes as send_outcomes
from app.orders.transitions import commit_transition, transition
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
    """Flip draft → sending and enqueue the job; False if the order was not a draft, or (given
    `seen_revision`, the revision the customer's page showed) not that revision any more."""
    sent = commit_transition(
        order_id,
        OrderStatus.DRAFT,
        OrderStatus.SENDING,
        Reason(reasons.SENT_BY_CUSTOMER),
        seen_revision=seen_revision,
        **send_outcomes.FRESH_SEND,
    )
    if sent:
        enqueue_send(order_id, send_job_id(order_id))
    return sent


def request_cancel(order_id: uuid.UUID) -> bool:
    """Flip in_processing → cancelled at the customer's request; False if it was not in
    processing (any more). The provider has no cancel call, so the sync keeps following the
    order and notes on its timeline if the provider finishes it anyway."""
    return commit_transition(
        order_id,
        OrderStatus.IN_PROCESSING,
        OrderStatus.CANCELLED,
        Reason(reasons.CANCELLED_BY_CUSTOMER),
        follow_provider=True,  # the provider may still finish it: the sync keeps asking
        next_check_at=func.now(),
    )


def enqueue_send(order_id: uuid.UUID, job_id: str, delay: float = 0) -> bool:
    """Queue (or schedule) the send job; a Redis outage leaves the row for the requeue.

    A scheduled job runs a second after its lease ends: rq-scheduler keeps whole seconds, and
    a job that ran early would find its own lease still held and do nothing.
    """
    try:
        if delay > 0:
            get_send_scheduler().enqueue_in(  # rq-scheduler builds its own jobs: pass the id
                timedelta(seconds=delay + 1),
                SUBMIT_JOB,
                str(order_id),
                job_id=job_id,
                meta=job_meta(),
            )
        else:
            get_send_queue().enqueue(SUBMIT_JOB, str(order_id), job_id=job_id)
    except redis.RedisError as error:
        log.warning("send of order %s not queued (Redis): %s; it will be requeued", order_id, error)
        return False
    return True


def claim(order_id: uuid.UUID) -> bool:
    """Take a lease on a sending order so no other job registers it at the same time."""
    lease = timedelta(seconds=current_app.config["SEND_CLAIM_SECONDS"])
    claimed = db.session.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.status == OrderStatus.SENDING,
            Order.external_uuid.is_(None),
            or_(Order.send_claimed_until.is_(None), Order.send_claimed_until <= func.now()),
        )
        .values(send_claimed_until=func.now() + lease)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.commit()
    return claimed is not None


def registration_payload(order: Order) -> dict:
    return {
        "services": [str(item.service_uuid) for item in order.items],
        "price": float(order.price),
        "tax": float(order.tax),
        "gross": float(order.gross),
    }


def submit_order(order_id: uuid.UUID) -> str:
    """The job: register a claimed order at the order service. Returns what happened."""
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
    return record_registration(order_id, external_uuid)


def record_registration(order_id: uuid.UUID, external_uuid: uuid.UUID) -> str:
    """Sending → in processing under the provider's id, with the call's record; an order
    that moved on meanwhile is flagged instead (`send_outcomes.registered_late`)."""
    recorded = transition(
        order_id,
        OrderStatus.SENDING,
        OrderStatus.IN_PROCESSING,
        Reason(reasons.REGISTERED),
        external_uuid=external_uuid,
        next_check_at=func.now(),
        **send_outcomes.SETTLED,
    )
    if recorded is None:
        return send_outcomes.registered_late(order_id, external_uuid)
    db.session.commit()
    return f"registered as {external_uuid}"


def requeue_stuck_sends() -> int:
    """Enqueue again every order left in sending whose job was lost; returns how many.

    An order is stuck once its lease (or, if it never had one, its flip to sending) is
    SEND_STUCK_AFTER_SECONDS old. Orders held for a person are left to that person.
    """
    grace = timedelta(seconds=current_app.config["SEND_STUCK_AFTER_SECONDS"])
    stuck = db.session.execute(
        select(Order.id, Order.send_attempts)
        .where(
            Order.status == OrderStatus.SENDING,
            Order.external_uuid.is_(None),
            func.coalesce(Order.send_claimed_until, Order.updated_at)
            < func.clock_timestamp() - grace,
            ~send_outcomes.held_for_a_person(),
        )
        .limit(1000)
    ).all()
    db.session.rollback()
    for order_id, attempts in stuck:
        enqueue_send(order_id, send_job_id(order_id, attempts) + "-requeued")
    if stuck:
        log.info("requeued %d stuck sends", len(stuck))
    return len(stuck)
