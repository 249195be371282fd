"""A whole copy of the catalog, and where copies live: Flask-Caching on Redis, with the refresh
lock and a failure mark. Redis is a convenience, never a requirement: the first Redis error turns
the store off for the rest of the request, so an outage costs at most one socket timeout."""

import json
import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import redis
from flask import current_app
from redis.exceptions import LockError

from app.catalog.client import CatalogService, parse_item
from app.extensions import cache, get_redis

log = logging.getLogger(__name__)

FRESH_KEY = "catalog:fresh"
STALE_KEY = "catalog:stale"
FAILED_KEY = "catalog:failed"
LOCK_KEY = "catalog:refresh-lock"


@dataclass(frozen=True)
class CatalogSnapshot:
    """The whole catalog as read at `fetched_at` (UTC); `stale` when a refresh just failed."""

    services: tuple[CatalogService, ...]
    fetched_at: datetime
    stale: bool = False

    def search(self, query: str) -> tuple[CatalogService, ...]:
        """Services whose name or description contains every word of `query`, ignoring case."""
        words = query.casefold().split()
        texts = ((s, f"{s.name}\n{s.description or ''}".casefold()) for s in self.services)
        return tuple(s for s, text in texts if all(w in text for w in words))

    def by_uuid(self) -> dict[str, CatalogService]:
        return {service.uuid: service for service in self.services}

    def as_stale(self) -> "CatalogSnapshot":
        return replace(self, stale=True)

    def age_seconds(self) -> float:
        return (datetime.now(UTC) - self.fetched_at).total_seconds()

    def to_json(self) -> str:
        services = [service.to_dict() for service in self.services]
        return json.dumps({"fetched_at": self.fetched_at.isoformat(), "services": services})

    @classmethod
    def from_json(cls, text: str) -> "CatalogSnapshot":
        """Read back `to_json`; raises ValueError (or KeyError/TypeError) on anything else."""
        body = json.loads(text)
        fetched_at = datetime.fromisoformat(body["fetched_at"])
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at has no time zone")
        return cls(tuple(parse_item(item) for item in body["services"]), fetched_at.astimezone(UTC))


class CatalogStore:
    """The catalog's keys in Redis, read and written without ever raising a Redis error."""

    def __init__(self) -> None:
        self.available = True

    def guarded(self, action: str, operation, default):
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
        try:
            value = self.guarded("read", lambda: cache.get(key), None)
        except Exception:
            log.warning("catalog cache entry %s is unreadable; ignoring it", key, exc_info=True)
            return None
        return value if isinstance(value, str) else None

    def load(self, key: str) -> CatalogSnapshot | None:
        """The copy under `key`; a malformed entry counts as missing."""
        text = self.read(key)
        if text is None:
            return None
        try:
            return CatalogSnapshot.from_json(text)
        except (ValueError, KeyError, TypeError) as error:  # InvalidItem is a ValueError
            log.warning("catalog cache entry %s is malformed, ignoring it: %s", key, error)
            return None

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
        redis-py's lock deletes the key only while it holds its token; any thread may release it."""
        timeout = current_app.config["CATALOG_LOCK_SECONDS"]
        lock = get_redis().lock(self.lock_name(), timeout, blocking=False, thread_local=False)
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
