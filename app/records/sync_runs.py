"""The status sync's recent runs, kept in Redis for the health page and `/readyz`.

Each finished run (and fan-out batch job) is counted in the metrics and pushed onto a short
list; the time of the last run, and of the last one that did its work, are kept apart so the
readiness check reads one key.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from app import metrics
from app.extensions import get_redis

log = logging.getLogger(__name__)

RUNS_KEY = "ops:sync:runs"
LAST_RUN_KEY = "ops:sync:last-run"
LAST_SUCCESS_KEY = "ops:sync:last-success"
KEEP_RUNS = 50
SUCCESSFUL = ("done", "fanned_out")
FAILED = "error"  # the run raised; it does not count as a sign of life for /readyz


@dataclass(frozen=True)
class SyncRun:
    part: str
    outcome: str
    finished_at: float
    duration: float
    checked: int
    changed: int
    errors: int
    not_found: int
    jobs: int
    first_error: str | None = None

    @property
    def successful(self) -> bool:
        return self.outcome in SUCCESSFUL

    @property
    def finished(self) -> datetime:
        return datetime.fromtimestamp(self.finished_at, UTC)


def record_run(summary, part: str) -> None:
    """Count one finished run or batch job (`part`), and keep its summary for the console."""
    metrics.count_sync(part, summary.outcome, summary.duration, summary.checked, summary.changed)
    run = SyncRun(
        part=part,
        outcome=summary.outcome,
        finished_at=time.time(),
        duration=round(summary.duration, 3),
        checked=summary.checked,
        changed=summary.changed,
        errors=summary.errors,
        not_found=summary.not_found,
        jobs=summary.jobs_enqueued,
        first_error=(summary.first_error or "")[:300] or None,
    )
    try:
        keep(run)
    except redis.RedisError as error:
        log.warning("sync run not recorded (Redis): %s", error)


def keep(run: SyncRun) -> None:
    pipe = get_redis().pipeline(transaction=False)
    pipe.lpush(RUNS_KEY, json.dumps(run.__dict__))
    pipe.ltrim(RUNS_KEY, 0, KEEP_RUNS - 1)
    if run.part == "run" and run.outcome != FAILED:
        pipe.set(LAST_RUN_KEY, run.finished_at)
    if run.successful:
        pipe.set(LAST_SUCCESS_KEY, run.finished_at)
    pipe.execute()


def recent_runs(limit: int = 20) -> list[SyncRun]:
    return [SyncRun(**json.loads(raw)) for raw in get_redis().lrange(RUNS_KEY, 0, limit - 1)]


def seconds_since(key: str) -> float | None:
    """Seconds since the time stored under `key`; None if nothing is stored."""
    value = get_redis().get(key)
    return None if value is None else max(0.0, time.time() - float(value))


def last_run_age() -> float | None:
    return seconds_since(LAST_RUN_KEY)


def last_success_age() -> float | None:
    return seconds_since(LAST_SUCCESS_KEY)
