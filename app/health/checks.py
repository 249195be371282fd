"""The readiness checks: Postgres, Redis, a live worker, a recent status sync.

Each check returns None when all is well, or a short sentence saying what is wrong. The
operators' health page shows the same sentences.
"""

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, get_redis
from app.queue_info import live_workers
from app.records.sync_runs import last_run_age


def check_postgres() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        return f"not answering ({type(getattr(error, 'orig', None) or error).__name__})"
    return None


def check_redis() -> str | None:
    try:
        get_redis().ping()
    except redis.RedisError as error:
        return f"not answering ({type(error).__name__})"
    return None


def check_worker() -> str | None:
    within = current_app.config["READY_WORKER_SECONDS"]
    try:
        alive = live_workers(within)
    except redis.RedisError:
        return "unknown: Redis is not answering"
    return None if alive else f"no worker seen in the last {within} s"


def check_sync() -> str | None:
    limit = current_app.config["SYNC_INTERVAL_SECONDS"] * current_app.config["READY_SYNC_INTERVALS"]
    try:
        age = last_run_age()
    except redis.RedisError:
        return "unknown: Redis is not answering"
    if age is None:
        return "no status sync has run yet"
    return None if age <= limit else f"the last status sync ran {age:.0f} s ago (limit {limit} s)"


CHECKS = {
    "postgres": check_postgres,
    "redis": check_redis,
    "worker": check_worker,
    "sync": check_sync,
}


def readiness() -> dict[str, str | None]:
    """Every check's problem (None when fine), by name."""
    return {name: check() for name, check in CHECKS.items()}
