"""Per-request bookkeeping: the request id, one log line, and the HTTP metrics."""

import logging
import time

from flask import Flask, Response, g, request
from sqlalchemy import inspect

from app import metrics
from app.logs import REQUEST_ID, request_id_from

log = logging.getLogger("app.requests")


def start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    g.request_id_token = REQUEST_ID.set(g.request_id)


def finish_request(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request that failed before our first hook ran
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else "<unmatched>"
    metrics.observe_request(request.method, route, response.status_code, seconds)
    response.headers["X-Request-ID"] = g.request_id
    ms = seconds * 1000
    extra = {"method": request.method, "path": request.path, "route": route}
    extra.update(status=response.status_code, duration_ms=round(ms, 1), user_id=user_id())
    # The query as sent, even one that is not UTF-8 (answered 400).
    query = request.query_string.decode("utf-8", "replace")
    path = f"{request.path}?{query}" if query else request.path
    log.info("%s %s %s %.1fms", request.method, path, response.status_code, ms, extra=extra)
    return response


def user_id() -> int | None:
    """The looked-up user's id, from memory: after a commit `user.id` would ask the database."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    if state is not None:
        return state.identity[0] if state.identity else None
    return getattr(user, "id", None)


def end_request(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)


def init_app(app: Flask) -> None:
    app.before_request(start_request)
    app.after_request(finish_request)
    app.teardown_request(end_request)
