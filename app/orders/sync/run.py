"""A sync run under the run lock: it checks the due orders itself or, above
SYNC_FANOUT_THRESHOLD, fans them out as id-range batch jobs that several workers share."""

import logging
import time
import uuid
from datetime import UTC, datetime

from flask import current_app
from rq import Queue

from app.extensions import db
from app.orders.sync import state, store
from app.orders.sync.engine import SyncSummary, sync_range
from app.queue import get_queue
from app.records.sync_runs import record_run

log = logging.getLogger(__name__)


def run_sync(allow_fan_out: bool = True) -> SyncSummary:
    """One sync run under the run lock; a run that finds the lock taken does nothing."""
    started, ttl = time.monotonic(), current_app.config["SYNC_LOCK_TTL_SECONDS"]
    lock = state.RunLock.acquire(ttl)
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


def coordinate(lock: state.RunLock, allow_fan_out: bool) -> SyncSummary:
    if (left := state.paused_for()) > 0:
        log.info("status sync paused for %.0f more seconds", left)
        return SyncSummary(outcome="paused")
    if (pending := state.fanout_left()) > 0:
        log.info("status sync skipped: %d batch jobs of the last fan-out still pending", pending)
        return SyncSummary(outcome="busy")
    threshold = current_app.config["SYNC_FANOUT_THRESHOLD"]
    if allow_fan_out and store.count_due(threshold + 1) > threshold:
        # The run's name: readable and unique, its start time and a piece of its lock token.
        return fan_out(f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{lock.token[:8]}")
    return sync_range(None, None, lock.extend)


def fan_out(run_id: str) -> SyncSummary:
    """Queue the due orders as id-range batch jobs with ids fixed by run and range."""
    config = current_app.config
    ranges = store.due_ranges(config["SYNC_FANOUT_JOB_SIZE"])
    timeout = config["SYNC_BATCH_JOB_TIMEOUT"]
    jobs = [
        Queue.prepare_data(
            "app.orders.jobs.sync_batch",
            args=(start_after and str(start_after), end and str(end), run_id),
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
        summary = sync_range(as_uuid(start_after), as_uuid(end), None)
    finally:
        state.finish_fanout_batch(run_id)
    return finish(summary, started, "batch")


def finish(summary: SyncSummary, started: float, part: str) -> SyncSummary:
    summary.duration = time.monotonic() - started
    log.info(summary.describe())
    record_run(summary, part)
    return summary


def as_uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)
