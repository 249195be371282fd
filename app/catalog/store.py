"""Where the catalog copies live: Flask-Caching on Redis, plus the refresh lock and a failure mark.

Redis is a convenience here, never a requirement. The first Redis error turns the store off for
the rest of the request, so an outage costs at most one short socket timeout and the caller falls
back to reading the provider directly.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from flask import current_app
from redis.exceptions import LockError

from app.extensions import cache, get_redis

log = logging.getLogger(__name__)

FRESH_KEY = "catalog:fresh"
STALE_KEY = "catalog:stale"
FAILED_KEY = "catalog:failed"
LOCK_KEY = "catalog:refresh-lock"

T = TypeVar("T")


class CatalogStore:
    """The catalog's keys in Redis, read and written without ever raising a Redis error."""

    def __init__(self) -> None:
        self.available = True

    def guarded(self, action: str, operation: Callable[[], T], default: T) -> T:
        """Run one Redis operation; after the first Redis error, skip the rest quickly."""
        if not self.available:
            return default
        try:
            return operation()
        except redis.RedisError as error:
            self.available = False
            log.warning("catalog cache unavailable (%s): %s", action, error)
            return default

    def read(self, key: str) -> str | None:
        """The text stored under `key`, or None if missing, unreadable or Redis is down."""
        try:
            value = self.guarded("read", lambda: cache.get(key), None)
        except Exception:
            log.warning("catalog cache entry %s is unreadable; ignoring it", key, exc_info=True)
            return None
        return value if isinstance(value, str) else None

    def write(self, key: str, text: str, seconds: int) -> None:
        """Keep `text` for `seconds`; nothing for 0, which Flask-Caching would keep forever."""
        if seconds <= 0:
            return
        self.guarded("write", lambda: cache.set(key, text, timeout=seconds), None)

    def mark_failed(self, seconds: int) -> None:
        """Remember for `seconds` that the provider just failed, so readers do not retry at once."""
        self.write(FAILED_KEY, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), seconds)

    def clear_failure(self) -> None:
        self.guarded("clear failure", lambda: cache.delete(FAILED_KEY), None)

    def recently_failed(self) -> bool:
        return self.read(FAILED_KEY) is not None

    def lock_name(self) -> str:
        return current_app.config["CACHE_KEY_PREFIX"] + LOCK_KEY

    def refresh_in_progress(self) -> bool:
        return bool(self.guarded("lock check", lambda: get_redis().exists(self.lock_name()), 0))

    def take_refresh_lock(self):
        """The refresh lock if this thread got it; None if another holds it or Redis is down.

        The lock is redis-py's: `SET NX PX` with a random token, released by a script that
        deletes the key only while it still holds that token; any thread may release it.
        """
        seconds = current_app.config["CATALOG_LOCK_SECONDS"]
        lock = get_redis().lock(
            self.lock_name(), timeout=seconds, blocking=False, thread_local=False
        )
        return lock if self.guarded("lock", lock.acquire, False) else None

    def release(self, lock) -> None:
        if lock is None:
            return
        try:
            lock.release()
        except LockError:
            log.warning("catalog refresh outlived its lock; another process may have fetched too")
        except redis.RedisError as error:
            log.warning("catalog refresh lock not released (it will expire): %s", error)
