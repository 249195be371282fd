"""The per-token rate limit (API_RATE_LIMIT, e.g. "120 per minute", read by the `limits` library):
a fixed window counted in Redis in one round trip (INCR, EXPIRE NX, TTL in one pipeline). Every
answer carries RateLimit-* headers; over the limit, a 429 with Retry-After. While Redis cannot
count, requests pass uncounted (without the headers): the limit protects the desk, and a Redis
outage must not stop customers' systems."""

import logging

from flask import Flask, Response, current_app, g
from limits import parse
from redis.exceptions import RedisError

from app.extensions import get_redis
from app.outage import one_line
from app.problems import ApiProblem

log = logging.getLogger(__name__)
KEY = "api_rate_limit"
PREFIX = "api-rate:token:"


def init_app(app: Flask) -> None:
    app.extensions[KEY] = parse(app.config["API_RATE_LIMIT"])


def hit(key: str, window: int) -> tuple[int, int]:
    """Count one request in the fixed window (one round trip); the count and the seconds left."""
    pipe = get_redis().pipeline(transaction=False)  # EXPIRE NX only sets the first expiry
    pipe.incr(key)
    pipe.expire(key, window, nx=True)
    pipe.ttl(key)
    count, _, ttl = pipe.execute()
    return count, max(1, ttl)


def count_request() -> None:
    """Count this request against its token; raise the 429 when over the limit."""
    limit = current_app.extensions[KEY]
    window = int(limit.get_expiry())
    try:
        count, seconds = hit(f"{PREFIX}{g.api_token.id}", window)
    except RedisError as error:
        log.warning("API request not counted (Redis): %s", one_line(error))
        return
    allowed, remaining = count <= limit.amount, max(0, limit.amount - count)
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
