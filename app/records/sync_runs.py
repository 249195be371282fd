"""The status sync's recent runs (and fan-out batch jobs), kept in Redis for the health page;
the times of the last run and of the last successful one are kept apart for `/readyz`."""

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
    def finished(self) -> datetime:
        return datetime.fromtimestamp(self.finished_at, UTC)


def record_run(summary, part: str) -> None:
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
        pipe = get_redis().pipeline(transaction=False)
        pipe.lpush(RUNS_KEY, json.dumps(run.__dict__))
        pipe.ltrim(RUNS_KEY, 0, KEEP_RUNS - 1)
        if part == "run" and run.outcome != "error":  # a run that raised is no sign of life
            pipe.set(LAST_RUN_KEY, run.finished_at)
        if run.outcome in ("done", "fanned_out"):
            pipe.set(LAST_SUCCESS_KEY, run.finished_at)
        pipe.execute()
    except redis.RedisError as error:
        log.warning("sync run not recorded (Redis): %s", error)


def recent_runs(limit: int = 20) -> list[SyncRun]:
    return [SyncRun(**json.loads(raw)) for raw in get_redis().lrange(RUNS_KEY, 0, limit - 1)]


def seconds_since(key: str) -> float | None:
    value = get_redis().get(key)
    return None if value is None else max(0.0, time.time() - float(value))


def last_run_age() -> float | None:
    return seconds_since(LAST_RUN_KEY)


def last_success_age() -> float | None:
    return seconds_since(LAST_SUCCESS_KEY)
