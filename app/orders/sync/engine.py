"""Checking a range of due orders, batch by batch: the engine under every sync run and job.

The states are fetched concurrently by a bounded thread pool. While one batch is written, the
next BATCHES_IN_FLIGHT batches are already queued on the pool, so the request threads never
wait for the database (at 64 threads a single queued batch ran dry while the previous one was
written; two did not). Each batch is applied in one transaction: one guarded bulk transition
for the finished orders (plus their events), one note for the finished orders that were
cancelled here (the provider cannot be told to stop), one update for the orders still
processing, one for the failures (per-order backoff). The commit publishes the changes to
their owners' live channels.
"""

import logging
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from sqlalchemy import func

from app.extensions import db
from app.models import OrderStatus
from app.orders import reasons
from app.orders.provider import get_order_client, map_state
from app.orders.reasons import Reason
from app.orders.sync import state, store
from app.orders.sync.checks import CheckResult, Outcome, RunGate, StopReason, submit_checks
from app.orders.transitions import bulk_transition, note_after_cancel
from app.records.calls import record_checks

log = logging.getLogger(__name__)

RECHECK_SHARE_OF_INTERVAL = 0.75
BATCHES_IN_FLIGHT = 2
LOCK_LOST = "lock_lost"


@dataclass(frozen=True)
class SyncSettings:
    concurrency: int
    batch_size: int
    interval: float
    fanout_threshold: int
    fanout_job_size: int
    lock_ttl: float
    backoff_base: float
    backoff_cap: float
    down_after: int
    down_pause: float
    rate_limit_pause: float
    batch_job_timeout: int

    @classmethod
    def from_config(cls, config) -> "SyncSettings":
        return cls(
            concurrency=config["SYNC_CONCURRENCY"],
            batch_size=config["SYNC_BATCH_SIZE"],
            interval=config["SYNC_INTERVAL_SECONDS"],
            fanout_threshold=config["SYNC_FANOUT_THRESHOLD"],
            fanout_job_size=config["SYNC_FANOUT_JOB_SIZE"],
            lock_ttl=config["SYNC_LOCK_TTL_SECONDS"],
            backoff_base=config["SYNC_BACKOFF_BASE_SECONDS"],
            backoff_cap=config["SYNC_BACKOFF_CAP_SECONDS"],
            down_after=config["SYNC_PROVIDER_DOWN_AFTER"],
            down_pause=config["SYNC_PROVIDER_DOWN_PAUSE_SECONDS"],
            rate_limit_pause=config["SYNC_RATE_LIMIT_PAUSE_SECONDS"],
            batch_job_timeout=config["SYNC_BATCH_JOB_TIMEOUT"],
        )

    @property
    def recheck_seconds(self) -> float:
        """A little under the interval, so the next run (about a minute later) finds the order
        due even if it reaches it a few seconds earlier in its run than this one did."""
        return self.interval * RECHECK_SHARE_OF_INTERVAL


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
    settings: SyncSettings,
    start_after: uuid.UUID | None = None,
    end: uuid.UUID | None = None,
    keep_alive: Callable[[], bool] | None = None,
) -> SyncSummary:
    """Check the due orders in (start_after, end], batch by batch, writing each batch while
    the next ones are being fetched. If writing fails, the requests not yet made are dropped."""
    summary = SyncSummary()
    client = get_order_client()
    gate = RunGate(settings.down_after, settings.rate_limit_pause)
    workers = max(1, min(settings.concurrency, client.pool_size))
    pool = ThreadPoolExecutor(workers, thread_name_prefix="status-sync")
    in_flight: deque[list[Future]] = deque()
    try:
        for batch in store.due_batches(start_after, end, settings.batch_size):
            in_flight.append(submit_checks(pool, client, batch, gate))
            if len(in_flight) > BATCHES_IN_FLIGHT:
                write_oldest(in_flight, settings, summary, keep_alive)
            if gate.stopped or summary.outcome == LOCK_LOST:
                break
        while in_flight:
            write_oldest(in_flight, settings, summary, keep_alive)
    finally:
        pool.shutdown(cancel_futures=True)
    report_stop(gate, settings, summary)
    return summary


def write_oldest(
    in_flight: deque[list[Future]],
    settings: SyncSettings,
    summary: SyncSummary,
    keep_alive: Callable[[], bool] | None,
) -> None:
    """Wait for the oldest batch's answers, write them, and keep the run's lock alive."""
    apply_batch([future.result() for future in in_flight.popleft()], settings, summary)
    if keep_alive is None or summary.outcome == LOCK_LOST or keep_alive():
        return
    summary.outcome = LOCK_LOST
    log.warning("status sync lost its lock: stopping after the batches already fetched")


def apply_batch(results: list[CheckResult], settings: SyncSettings, summary: SyncSummary) -> None:
    """Write one batch's answers in one transaction (its commit publishes what changed)."""
    finished, unchanged, failures = sort_results(results)
    checked = {
        "last_checked_at": func.now(),
        "check_failures": 0,
        "last_check_error": None,
        "last_check_error_coded": None,
    }
    changes = bulk_transition(finished, expected=OrderStatus.IN_PROCESSING, **checked)
    # The rest of the finished ones were cancelled here (perhaps a moment ago): note them.
    outcomes = {order_id: status for order_id, (status, _) in finished.items()}
    notes = note_after_cancel(outcomes, **checked)
    store.record_unchanged(unchanged, settings.recheck_seconds)
    store.record_failures(failures, settings.backoff_base, settings.backoff_cap)
    record_checks([result for result in results if worth_keeping(result)])
    db.session.commit()
    warn_not_found(results)
    count(summary, results, len(changes) + len(notes))


def sort_results(results: list[CheckResult]) -> tuple[dict, list, list]:
    """Split answers into finished orders (with their new status), unchanged ones, failures."""
    finished, unchanged, failures = {}, [], []
    for result in results:
        if result.outcome is Outcome.ANSWERED:
            status = map_state(result.state or "")
            if status is None:
                unchanged.append(result.order_id)
            else:
                finished[result.order_id] = (status, provider_reports(result.state))
        elif result.outcome in (Outcome.FAILED, Outcome.NOT_FOUND):
            failures.append(check_failure(result))
    return finished, unchanged, failures


def provider_reports(state: str) -> Reason:
    """The reason for a finished order: the provider's state, in its own words."""
    return Reason(reasons.PROVIDER_REPORTS, state=state.strip()[:40])


def check_failure(result: CheckResult) -> store.CheckFailure:
    return store.CheckFailure(
        result.order_id, result.error or "", result.retry_after, result.error_reason
    )


def worth_keeping(result: CheckResult) -> bool:
    """A check an operator may want to read later: any but "still processing" and skips."""
    if result.outcome is Outcome.ANSWERED:
        return map_state(result.state or "") is not None
    return result.outcome is not Outcome.SKIPPED


def warn_not_found(results: list[CheckResult]) -> None:
    """An unknown external uuid is a real anomaly: say so once per order and run."""
    for result in results:
        if result.outcome is Outcome.NOT_FOUND:
            log.warning("order %s: %s Checking it less often.", result.order_id, result.error)


def count(summary: SyncSummary, results: list[CheckResult], changed: int) -> None:
    summary.batches += 1
    summary.changed += changed
    for result in results:
        if result.outcome is Outcome.SKIPPED:
            summary.skipped += 1
            continue
        summary.checked += 1
        if result.outcome is Outcome.ANSWERED:
            continue
        summary.errors += 1
        summary.not_found += result.outcome is Outcome.NOT_FOUND
        summary.first_error = summary.first_error or result.error


def report_stop(gate: RunGate, settings: SyncSettings, summary: SyncSummary) -> None:
    """Pause the runs after one the provider cut short, and say why."""
    if gate.provider_down:
        report_provider_down(settings)
    elif summary.checked > summary.errors and (down := state.provider_came_back()) is not None:
        log.info("order service reachable again after %.0f s", down)
    if gate.stop_reason is StopReason.RATE_LIMITED:
        wait = max(gate.retry_after, 1.0)
        log.warning("order service asked us to wait %.0f s (Retry-After): run ended early", wait)
        state.pause(wait, "retry-after")
    if gate.stop_reason is not None:
        summary.outcome = gate.stop_reason.value


def report_provider_down(settings: SyncSettings) -> None:
    """One warning when the provider goes down, however many runs its outage spans."""
    report = log.warning if state.provider_went_down() else log.info
    report(
        "order service unreachable: run ended early; orders in processing keep their status "
        "and are checked again once it answers"
    )
    state.pause(settings.down_pause, "provider down")
