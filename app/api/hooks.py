"""Wiring the API into the app: the order of checks on every request under /api/v1, and what
every answer carries."""

from flask import Flask, Response, request

from app.api import auth, bodies, idempotency, rate_limit
from app.api.spec import WRITE_ENDPOINTS, bp
from app.extensions import csrf
from app.problems import ApiProblem

PUBLIC_ENDPOINTS = {"api.openapi_document"}


def before_each() -> Response | None:
    """Token, rate limit, scope, body, then the Idempotency-Key (which may replay)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    auth.authenticate()
    rate_limit.count_request()
    if request.endpoint in WRITE_ENDPOINTS:
        auth.require_write()
    bodies.read_json_body()
    return idempotency.begin()


def after_each(response: Response) -> Response:
    response = idempotency.finish(response)
    response = rate_limit.add_headers(response)
    if request.method == "GET" and response.status_code in (200, 304):
        response.cache_control.private = True
        response.cache_control.no_cache = True
    else:
        response.cache_control.no_store = True
    response.vary.update(("Authorization", "Accept-Language"))
    return response


def answer_problem(problem: ApiProblem) -> Response:
    return problem.response()


bp.before_request(before_each)
bp.after_request(after_each)
bp.register_error_handler(ApiProblem, answer_problem)

# The operations, each module registering its own on `bp` (one module per resource).
from app.api import catalog, document, order_actions, orders  # noqa: E402,F401
from app.api.docs import docs_bp  # noqa: E402


def init_app(app: Flask) -> None:
    rate_limit.init_app(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)
