"""The per-token rate limit (API_RATE_LIMIT, e.g. "120 per minute"), counted in Redis with the
`limits` library under Flask-Limiter. Every answer carries RateLimit-* headers; over the limit,
a 429 with Retry-After. While Redis cannot count, requests pass uncounted (without the headers):
the limit protects the desk, and a Redis outage must not stop customers' systems."""

import logging
import math
import time

from flask import Flask, Response, current_app, g
from limits import parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from app.extensions import redis_options
from app.outage import one_line
from app.problems import ApiProblem

log = logging.getLogger(__name__)
KEY = "api_rate_limit"


def init_app(app: Flask) -> None:
    options = redis_options(app.config["REDIS_SOCKET_TIMEOUT"])
    storage = storage_from_string(app.config["REDIS_URL"], wrap_exceptions=True, **options)
    app.extensions[KEY] = (FixedWindowRateLimiter(storage), parse(app.config["API_RATE_LIMIT"]))


def count_request() -> None:
    """Count this request against its token; raise the 429 when over the limit."""
    limiter, limit = current_app.extensions[KEY]
    token = f"token:{g.api_token.id}"
    try:
        allowed = limiter.hit(limit, token)
        reset_at, remaining = limiter.get_window_stats(limit, token)
    except (StorageError, RedisError) as error:
        log.warning("API request not counted (Redis): %s", one_line(error))
        return
    seconds = max(1, math.ceil(reset_at - time.time()))
    window = int(limit.get_expiry())
    g.rate_limit_headers = {
        "RateLimit-Limit": str(limit.amount),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(seconds),
        "RateLimit-Policy": f"{limit.amount};w={window}",
    }
    if not allowed:
        raise ApiProblem(429, headers={**g.rate_limit_headers, "Retry-After": str(seconds)})


def add_headers(response: Response) -> Response:
    for name, value in g.get("rate_limit_headers", {}).items():
        response.headers.setdefault(name, value)
    return response
