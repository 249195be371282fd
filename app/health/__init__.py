"""Liveness and readiness probes. `/readyz` tells anyone whether the desk is ready; only an
operator or a caller with the metrics token sees why not. Each check returns None when all is
well, or a short sentence saying what is wrong (shown on the operators' health page too)."""

import redis
from flask import Blueprint, current_app
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, get_redis
from app.metrics.routes import presents_metrics_token
from app.queue_info import live_workers
from app.records.sync_runs import last_run_age

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready to serve: 200, or 503; with the failing parts and every check for those allowed."""
    problems = readiness()
    failing = {name: problem for name, problem in problems.items() if problem}
    body, headers = {"status": "not ready" if failing else "ready"}, {}
    if sees_details():
        body["checks"] = {name: problem or "ok" for name, problem in problems.items()}
        body["failing"] = sorted(failing)
        headers["Cache-Control"] = "no-store"
    return body, 503 if failing else 200, headers


def sees_details() -> bool:
    """A caller with the metrics token, or a logged-in operator. With Postgres down, nobody can
    be looked up, and the token is the only way to the details."""
    if presents_metrics_token():
        return True
    try:
        return current_user.is_authenticated and current_user.is_operator
    except SQLAlchemyError:
        db.session.rollback()
        return False


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
    return None if live_workers(within) else f"no worker seen in the last {within} s"


def check_sync() -> str | None:
    limit = current_app.config["SYNC_INTERVAL_SECONDS"] * current_app.config["READY_SYNC_INTERVALS"]
    age = last_run_age()
    if age is None:
        return "no status sync has run yet"
    return None if age <= limit else f"the last status sync ran {age:.0f} s ago (limit {limit} s)"


def readiness() -> dict[str, str | None]:
    problems = {"postgres": check_postgres(), "redis": check_redis()}
    for name, check in (("worker", check_worker), ("sync", check_sync)):
        try:
            problems[name] = check()
        except redis.RedisError:
            problems[name] = "unknown: Redis is not answering"
    return problems
