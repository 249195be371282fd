"""Liveness and readiness probes for process runners and load balancers.

`/readyz` tells anyone whether the desk is ready; which parts fail, and why, only an operator
(logged in) or a caller with the metrics token (`Authorization: Bearer <METRICS_TOKEN>`) sees.
"""

from flask import Blueprint
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.health.checks import readiness
from app.metrics.routes import presents_metrics_token

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked."""
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
