"""Login attempt counters in Redis, per email and per client address (fixed windows)."""

import contextlib
import hashlib
import logging

import redis
from flask import current_app

from app.extensions import get_redis

log = logging.getLogger(__name__)


def _keys(email: str, address: str) -> list[tuple[str, int]]:
    config = current_app.config
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [
        (f"login:email:{digest}", config["LOGIN_LIMIT_PER_EMAIL"]),
        (f"login:addr:{address}", config["LOGIN_LIMIT_PER_ADDRESS"]),
    ]


def is_limited(email: str, address: str) -> bool:
    """True when this email or address used up its failed attempts for the window."""
    try:
        counts = get_redis().mget([key for key, _ in _keys(email, address)])
    except redis.RedisError as error:
        log.warning("login rate limit unavailable (Redis): %s", error)
        return False
    limits = [limit for _, limit in _keys(email, address)]
    return any(int(count or 0) >= limit for count, limit in zip(counts, limits, strict=False))


def record_failure(email: str, address: str) -> None:
    window = current_app.config["LOGIN_LIMIT_WINDOW_SECONDS"]
    try:
        pipe = get_redis().pipeline()
        for key, _ in _keys(email, address):
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
        pipe.execute()
    except redis.RedisError as error:
        log.warning("could not record a failed login (Redis): %s", error)


def clear_email(email: str, address: str) -> None:
    with contextlib.suppress(redis.RedisError):
        get_redis().delete(_keys(email, address)[0][0])
