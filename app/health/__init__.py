"""Liveness and readiness probes for process runners and load balancers."""

from flask import Blueprint

from app.health.checks import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready to serve: 200, or 503 naming the failing parts."""
    problems = readiness()
    failing = {name: problem for name, problem in problems.items() if problem}
    body = {
        "status": "not ready" if failing else "ready",
        "checks": {name: problem or "ok" for name, problem in problems.items()},
        "failing": sorted(failing),
    }
    return body, 503 if failing else 200
