"""The status sync: learn from the order service when orders in processing are finished.

One run (`run_sync`, every minute from the scheduler) takes the run lock, keeps it alive while
it works, and then either checks every due order itself, batch by batch (`engine.sync_range`), or,
for a backlog above SYNC_FANOUT_THRESHOLD, fans the due orders out as id-range batch jobs
(`run_batch`) that several workers share.
"""

import logging
import time
import uuid
from datetime import UTC, datetime

from flask import current_app
from rq import Queue

from app.extensions import db
from app.orders.sync import state, store
from app.orders.sync.engine import SyncSummary, sync_range
from app.orders.sync.state import RunLock
from app.queue import get_queue
from app.records.sync_runs import record_run

log = logging.getLogger(__name__)

BATCH_JOB = "app.orders.jobs.sync_batch"


def run_sync(allow_fan_out: bool = True) -> SyncSummary:
    """One sync run under the run lock; a run that finds the lock taken does nothing."""
    started, ttl = time.monotonic(), current_app.config["SYNC_LOCK_TTL_SECONDS"]
    lock = RunLock.acquire(ttl)
    if lock is None:
        log.info("status sync skipped: another run holds the lock")
        return finish(SyncSummary(outcome="locked"), started, "run")
    try:
        with lock.kept_alive():
            summary = coordinate(lock, allow_fan_out)
    except Exception as error:
        db.session.rollback()
        finish(SyncSummary(outcome="error", first_error=repr(error)), started, "run")
        raise
    finally:
        if not lock.release():
            log.warning("status sync outlasted its lock (TTL %ss)", ttl)
    return finish(summary, started, "run")


def coordinate(lock: RunLock, allow_fan_out: bool) -> SyncSummary:
    if (left := state.paused_for()) > 0:
        log.info("status sync paused for %.0f more seconds", left)
        return SyncSummary(outcome="paused")
    if (pending := state.fanout_left()) > 0:
        log.info("status sync skipped: %d batch jobs of the last fan-out still pending", pending)
        return SyncSummary(outcome="busy")
    threshold = current_app.config["SYNC_FANOUT_THRESHOLD"]
    if allow_fan_out and store.count_due(threshold + 1) > threshold:
        return fan_out(run_name(lock.token))
    return sync_range(keep_alive=lock.extend)


def fan_out(run_id: str) -> SyncSummary:
    """Queue the due orders as id-range batch jobs with ids fixed by run and range."""
    config = current_app.config
    ranges = store.due_ranges(config["SYNC_FANOUT_JOB_SIZE"])
    timeout = config["SYNC_BATCH_JOB_TIMEOUT"]
    jobs = [
        Queue.prepare_data(
            BATCH_JOB,
            args=(str_or_none(start_after), str_or_none(end), run_id),
            job_id=f"sync-batch-{run_id}-{index:05d}",
            timeout=timeout,
            result_ttl=int(config["SYNC_INTERVAL_SECONDS"] * 10),
            description=f"status sync batch {index + 1}/{len(ranges)}",
        )
        for index, (start_after, end) in enumerate(ranges)
    ]
    state.start_fanout(run_id, len(jobs), ttl=timeout)
    get_queue().enqueue_many(jobs)
    log.info("status sync fanned out as %d batch jobs (run %s)", len(jobs), run_id)
    return SyncSummary(outcome="fanned_out", jobs_enqueued=len(jobs))


def run_batch(start_after: str | None, end: str | None, run_id: str) -> SyncSummary:
    """One fan-out batch job: check the due orders in (start_after, end]. Safe to run twice:
    a second run finds them no longer due, and every update is guarded."""
    started = time.monotonic()
    try:
        if (left := state.paused_for()) > 0:
            log.info("status sync batch skipped: paused for %.0f more seconds", left)
            return finish(SyncSummary(outcome="paused"), started, "batch")
        summary = sync_range(as_uuid(start_after), as_uuid(end))
    finally:
        state.finish_fanout_batch(run_id)
    return finish(summary, started, "batch")


def run_name(token: str) -> str:
    """A readable, unique name for one run: its start time and a piece of its lock token."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{token[:8]}"


def finish(summary: SyncSummary, started: float, part: str) -> SyncSummary:
    """Log the one-line summary of a run (`part` "run") or batch job ("batch"), and keep it."""
    summary.duration = time.monotonic() - started
    log.info(summary.describe())
    record_run(summary, part)
    return summary


def str_or_none(value) -> str | None:
    return None if value is None else str(value)


def as_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)
