"""Checking a range of due orders batch by batch, the engine under every sync run and job."""

import logging
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from flask import current_app

from app.extensions import db
from app.orders.provider import get_order_client
from app.orders.sync import state, store
from app.orders.sync.answers import write_answers
from app.orders.sync.checks import CheckResult, Outcome, RunGate, StopReason, check_state

log = logging.getLogger(__name__)

# Batches queued on the pool while one is written, so that the request threads never wait for
# the database (at 64 threads one queued batch ran dry while the previous was written; two did not).
BATCHES_IN_FLIGHT = 2
LOCK_LOST = "lock_lost"


@dataclass
class SyncSummary:
    """What one run (or one batch job) did. `checked` counts the status requests made."""

    outcome: str = "done"
    checked: int = 0
    changed: int = 0
    errors: int = 0
    not_found: int = 0
    skipped: int = 0
    batches: int = 0
    jobs_enqueued: int = 0
    duration: float = 0.0
    first_error: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        text = (
            f"status sync {self.outcome}: checked={self.checked} changed={self.changed} "
            f"errors={self.errors} not_found={self.not_found} skipped={self.skipped} "
            f"batches={self.batches} jobs={self.jobs_enqueued} duration={self.duration:.2f}s"
        )
        return text + (f" first_error={self.first_error[:200]!r}" if self.first_error else "")

    def as_dict(self) -> dict:
        return asdict(self)


def sync_range(
    start_after: uuid.UUID | None, end: uuid.UUID | None, keep_alive: Callable[[], bool] | None
) -> SyncSummary:
    """Check the due orders in (start_after, end], writing each batch while the next are fetched."""
    config, summary = current_app.config, SyncSummary()
    client = get_order_client()
    gate = RunGate(config["SYNC_PROVIDER_DOWN_AFTER"], config["SYNC_RATE_LIMIT_PAUSE_SECONDS"])
    workers = max(1, min(config["SYNC_CONCURRENCY"], client.http.pool_size))
    pool = ThreadPoolExecutor(workers, thread_name_prefix="status-sync")
    in_flight: deque[list[Future]] = deque()
    try:
        for batch in store.due_batches(start_after, end, config["SYNC_BATCH_SIZE"]):
            in_flight.append([pool.submit(check_state, client, order, gate) for order in batch])
            if len(in_flight) > BATCHES_IN_FLIGHT:
                write_oldest(in_flight, summary, keep_alive)
            if gate.stopped or summary.outcome == LOCK_LOST:
                break
        while in_flight:
            write_oldest(in_flight, summary, keep_alive)
    finally:
        pool.shutdown(cancel_futures=True)
    report_stop(gate, summary)
    return summary


def write_oldest(
    in_flight: deque[list[Future]], summary: SyncSummary, keep_alive: Callable[[], bool] | None
) -> None:
    apply_batch([future.result() for future in in_flight.popleft()], summary)
    if keep_alive is None or summary.outcome == LOCK_LOST or keep_alive():
        return
    summary.outcome = LOCK_LOST
    log.warning("status sync lost its lock: stopping after the batches already fetched")


def apply_batch(results: list[CheckResult], summary: SyncSummary) -> None:
    """Write one batch's answers in one transaction (its commit publishes what changed)."""
    changed = write_answers(results)
    db.session.commit()
    summary.batches += 1
    summary.changed += changed
    for result in results:
        summary.skipped += result.outcome is Outcome.SKIPPED
        summary.checked += result.outcome is not Outcome.SKIPPED
        if result.outcome in (Outcome.SKIPPED, Outcome.ANSWERED):
            continue
        summary.errors += 1
        summary.first_error = summary.first_error or result.error
        if result.outcome is Outcome.NOT_FOUND:
            summary.not_found += 1
            # An unknown external uuid is a real anomaly: said once per order and run.
            log.warning("order %s: %s Checking it less often.", result.order_id, result.error)


def report_stop(gate: RunGate, summary: SyncSummary) -> None:
    """Pause the runs after one the provider cut short; report an outage once, however long."""
    if gate.provider_down:
        report = log.warning if state.provider_went_down() else log.info
        report(
            "order service unreachable: run ended early; orders in processing keep their status "
            "and are checked again once it answers"
        )
        state.pause(current_app.config["SYNC_PROVIDER_DOWN_PAUSE_SECONDS"], "provider down")
    elif summary.checked > summary.errors and (down := state.provider_came_back()) is not None:
        log.info("order service reachable again after %.0f s", down)
    if gate.stop_reason is StopReason.RATE_LIMITED:
        wait = max(gate.retry_after, 1.0)
        log.warning("order service asked us to wait %.0f s (Retry-After): run ended early", wait)
        state.pause(wait, "retry-after")
    if gate.stop_reason is not None:
        summary.outcome = gate.stop_reason.value
