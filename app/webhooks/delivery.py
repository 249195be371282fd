"""Delivering events, at least once: a job claims its event for a while (so a second job for
it, queued by the sweep, does nothing meanwhile), posts it signed, records the attempt and
either finishes the event or queues the next attempt on the retry schedule. Whatever fails,
the event stays pending with a due time, and the sweep queues any whose job was lost."""

import logging
import math
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import func, select

from app import metrics
from app.extensions import db
from app.logs import job_meta
from app.queue import get_webhook_queue, get_webhook_scheduler
from app.webhooks import store
from app.webhooks.addresses import AddressRefused, http_session, local_allowed
from app.webhooks.events import body, message_id
from app.webhooks.models import EventState, WebhookEndpoint, WebhookEvent
from app.webhooks.signing import signed_headers

log = logging.getLogger(__name__)

ANSWER_KEPT = 500  # characters of an answer kept in the log
ERROR_KEPT = 300
LEASE_MARGIN_SECONDS = 30  # a claim outlives the longest attempt by this much
SESSIONS: dict[bool, requests.Session] = {}  # one per process, kept alive between jobs


@dataclass(frozen=True)
class Outcome:
    """What one attempt found: `kind` is delivered, http_error, timeout, connection or refused."""

    kind: str
    status_code: int | None = None
    latency_ms: int | None = None
    answer: str | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.kind == "delivered"


def job_id(event_id: uuid.UUID, attempt: int, suffix: str = "") -> str:
    return f"webhook-{event_id}-{attempt}{suffix}"


def delivery_job(event_id: uuid.UUID, attempt: int, suffix: str = "") -> dict:
    return {
        "args": (str(event_id),),
        "job_id": job_id(event_id, attempt, suffix),
        "timeout": int(current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 2 + 10),
        "result_ttl": 600,
        "failure_ttl": 7 * 24 * 3600,
    }


def enqueue_deliveries(event_ids: list[uuid.UUID], suffix: str = "") -> None:
    """Queue one job per event, in one round trip to Redis."""
    queue = get_webhook_queue()
    jobs = [
        queue.prepare_data("app.webhooks.jobs.deliver", **delivery_job(event_id, 0, suffix))
        for event_id in event_ids
    ]
    queue.enqueue_many(jobs)


def enqueue_batch(event_ids: list[uuid.UUID]) -> None:
    """One job for the first attempts of many events (`jobs.deliver_many`), long enough for
    each of its threads to wait the whole timeout on each of its share of them."""
    config = current_app.config
    rounds = math.ceil(len(event_ids) / config["WEBHOOK_THREADS"])
    get_webhook_queue().enqueue(
        "app.webhooks.jobs.deliver_many",
        [str(event_id) for event_id in event_ids],
        job_timeout=int(rounds * (config["WEBHOOK_TIMEOUT_SECONDS"] * 2 + 5) + 30),
        result_ttl=60,
        failure_ttl=7 * 24 * 3600,
    )


def deliver_many(event_ids: list[uuid.UUID]) -> dict[str, int]:
    """First attempts of many events side by side, in WEBHOOK_THREADS threads each with its
    own app context (and so its own database session); how many ended how. An event whose
    attempt broke stays pending, for the sweep."""
    app = current_app._get_current_object()

    def one(event_id: uuid.UUID) -> str:
        with app.app_context():
            try:
                return deliver(event_id).split(":", 1)[0]
            except Exception:
                log.exception("webhook delivery of %s broke; the sweep retries it", event_id)
                db.session.rollback()
                return "broken"

    threads = min(len(event_ids), current_app.config["WEBHOOK_THREADS"])
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook") as pool:
        outcomes = list(pool.map(one, event_ids))
    return {kind: outcomes.count(kind) for kind in set(outcomes)}


def schedule_delivery(event_id: uuid.UUID, attempt: int, delay: float) -> None:
    """The next attempt: queued now if due within a second, else when it is due."""
    options = delivery_job(event_id, attempt)
    if delay < 1:
        queue = get_webhook_queue()
        queue.enqueue_many([queue.prepare_data("app.webhooks.jobs.deliver", **options)])
        return
    get_webhook_scheduler().enqueue_in(
        timedelta(seconds=delay),
        "app.webhooks.jobs.deliver",
        *options["args"],
        job_id=options["job_id"],
        timeout=options["timeout"],
        job_result_ttl=options["result_ttl"],
        meta=job_meta(),
    )


@dataclass(frozen=True)
class Claimed:
    """An event taken for one attempt, with what signing and posting it needs."""

    event_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_type: str
    created_at: datetime
    sequence: int
    payload: dict
    attempts: int  # made before this one
    url: str
    secrets: list[str]


def claim(event_id: uuid.UUID) -> Claimed | None:
    """Take a pending, due event of an enabled endpoint for the length of one attempt."""
    lease = current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 2 + LEASE_MARGIN_SECONDS
    row = db.session.execute(store.CLAIM, {"event_id": event_id, "lease": lease}).one_or_none()
    db.session.commit()  # the connection goes back to the pool during the request
    if row is None:
        return None
    secrets = [row.secret]
    until = row.previous_secret_until
    if row.previous_secret and until is not None and until > datetime.now(UTC):
        secrets.append(row.previous_secret)  # a rotation's overlap: both sign
    return Claimed(
        row.id,
        row.endpoint_id,
        row.event_type,
        row.created_at,
        row.sequence,
        row.payload,
        row.attempts,
        row.url,
        secrets,
    )


def http() -> requests.Session:
    allow_local = local_allowed(current_app.config)
    if allow_local not in SESSIONS:
        SESSIONS[allow_local] = http_session(allow_local)
    return SESSIONS[allow_local]


def post(claimed: Claimed) -> Outcome:
    """One signed POST; never follows a redirect; the answer's start is kept."""
    text = body(
        claimed.event_id, claimed.event_type, claimed.created_at, claimed.sequence, claimed.payload
    )
    now = int(time.time())
    headers = signed_headers(claimed.secrets, message_id(claimed.event_id), now, text)
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    started = time.perf_counter()
    try:
        answer = http().post(
            claimed.url,
            data=text.encode(),
            headers=headers,
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        )
    except AddressRefused as error:
        return Outcome("refused", error=str(error))
    except requests.Timeout as error:
        return Outcome("timeout", latency_ms=elapsed_ms(started), error=short(error))
    except requests.RequestException as error:
        return Outcome("connection", latency_ms=elapsed_ms(started), error=short(error))
    return answered(answer, started)


def answered(answer: requests.Response, started: float) -> Outcome:
    """Read the start of the answer (not all of a large one) and say what it was."""
    try:
        start = next(answer.iter_content(ANSWER_KEPT * 4), b"").decode("utf-8", "replace")
    except requests.RequestException as error:
        start = f"({short(error)})"
    finally:
        answer.close()
    latency = elapsed_ms(started)
    kind = "delivered" if 200 <= answer.status_code < 300 else "http_error"
    return Outcome(kind, answer.status_code, latency, start[:ANSWER_KEPT])


def elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def short(error: Exception) -> str:
    return str(error)[:ERROR_KEPT]


def retry_delay(attempts_made: int) -> float | None:
    """Seconds until the next attempt after `attempts_made` attempts, or None: no more."""
    schedule = current_app.config["WEBHOOK_RETRY_SECONDS"]
    if attempts_made > len(schedule):
        return None
    jitter = current_app.config["WEBHOOK_RETRY_JITTER"]
    return schedule[attempts_made - 1] * (1 + random.uniform(-jitter, jitter))


def record(claimed: Claimed, outcome: Outcome) -> float | None:
    """Record the attempt, settle the event and the endpoint's health in one statement: a
    delivery clears the endpoint's failing period; a failure starts it, and one that has lasted
    WEBHOOK_DISABLE_AFTER_SECONDS disables the endpoint with the last error as the reason.
    Returns the delay before the next attempt, if any."""
    attempts = claimed.attempts + 1
    delay = None if outcome.delivered else retry_delay(attempts)
    params = {
        "event_id": claimed.event_id,
        "endpoint_id": claimed.endpoint_id,
        "outcome": outcome.kind,
        "status_code": outcome.status_code,
        "latency_ms": outcome.latency_ms,
        "answer": outcome.answer,
        "error": outcome.error,
        "attempts": attempts,
        "delay": delay,
        "state": EventState.DELIVERED if outcome.delivered else EventState.FAILED,
        "delivered": outcome.delivered,
        "described": describe(outcome),
        "disable_after": current_app.config["WEBHOOK_DISABLE_AFTER_SECONDS"],
    }
    disabled = db.session.execute(store.RECORD, params).scalar()
    db.session.commit()
    if disabled:
        log.warning("webhook endpoint %s disabled: failing for days", claimed.endpoint_id)
    return delay


def describe(outcome: Outcome) -> str:
    if outcome.status_code is not None:
        return f"HTTP {outcome.status_code}"
    return (outcome.error or outcome.kind)[:ERROR_KEPT]


def deliver(event_id: uuid.UUID) -> str:
    """One attempt at one event (the job `webhook-<event>-<attempt>`)."""
    claimed = claim(event_id)
    if claimed is None:
        return "nothing to do (delivered, not due, taken or endpoint disabled)"
    waited = (datetime.now(UTC) - claimed.created_at).total_seconds()
    outcome = post(claimed)
    delay = record(claimed, outcome)
    first_wait = waited if claimed.attempts == 0 else None
    metrics.count_webhook(outcome.kind, outcome.latency_ms, first_wait)
    if delay is not None:
        schedule_delivery(event_id, claimed.attempts + 1, delay)
        return f"{outcome.kind}: {describe(outcome)}; next attempt in {delay:.0f}s"
    return f"{outcome.kind}: {describe(outcome)}"


def requeue_lost() -> int:
    """Queue again the pending events of enabled endpoints that are overdue and unclaimed
    (their job never reached Redis, or died with its worker)."""
    grace = timedelta(seconds=current_app.config["WEBHOOK_STUCK_AFTER_SECONDS"])
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled).scalar_subquery()
    lost = (
        db.session.execute(
            select(WebhookEvent.id)
            .where(
                WebhookEvent.state == EventState.PENDING,
                WebhookEvent.next_attempt_at < func.now() - grace,
                (WebhookEvent.claimed_until.is_(None)) | (WebhookEvent.claimed_until < func.now()),
                WebhookEvent.endpoint_id.in_(enabled),
            )
            .order_by(WebhookEvent.next_attempt_at)
            .limit(1000)
        )
        .scalars()
        .all()
    )
    metrics.set_webhook_backlog(*backlog())
    db.session.rollback()
    if lost:
        enqueue_deliveries(lost, suffix=f"-requeued-{int(time.time())}")
        log.info("requeued %d webhook deliveries", len(lost))
    return len(lost)


def backlog() -> tuple[int, float]:
    """Events waiting for delivery (of enabled endpoints) and the age of the oldest due one."""
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled).scalar_subquery()
    count, oldest = db.session.execute(
        select(func.count(), func.min(WebhookEvent.next_attempt_at)).where(
            WebhookEvent.state == EventState.PENDING, WebhookEvent.endpoint_id.in_(enabled)
        )
    ).one()
    age = 0.0 if oldest is None else max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    return count, age
