"""This process's own copy of the catalog: what it answers with while Redis cannot answer.

While Redis answers, it is the shared source (every process shows the same catalog) and this
copy only follows it: every copy a process reads or fetches is remembered. While Redis does not,
the process answers from this copy, and lets one fetch run at a time and at most one start
every CATALOG_RETRY_SECONDS, so an outage costs the provider one catalog read per process per
interval however many people browse. A reader with no copy waits for the fetch under way.

The lock is `threading`'s: gunicorn's gevent worker patches that module before it loads the
app, and the memory is made on first use (never at import), so under gevent it is gevent's lock.
"""

import logging
import threading
import time
from datetime import UTC, datetime

from flask import Flask, current_app

from app.catalog.client import fetch_catalog
from app.catalog.snapshot import CatalogSnapshot, CatalogUnavailable
from app.provider_http import ProviderError

log = logging.getLogger(__name__)

MEMORY_KEY = "catalog_memory"


class CatalogMemory:
    def __init__(self) -> None:
        self.snapshot: CatalogSnapshot | None = None
        self.guard = threading.Lock()
        self.fetch: threading.Thread | None = None  # the fetch under way
        self.next_fetch_at = 0.0  # time.monotonic(); no fetch starts before it

    def remember(self, snapshot: CatalogSnapshot) -> CatalogSnapshot:
        """Keep `snapshot` unless the copy kept is newer; return `snapshot`."""
        with self.guard:
            if self.snapshot is None or snapshot.fetched_at >= self.snapshot.fetched_at:
                self.snapshot = snapshot
        return snapshot

    def read(self) -> CatalogSnapshot:
        """The copy kept (marked stale past CATALOG_CACHE_SECONDS, when a fetch may start),
        or, with none, the result of the fetch under way. Raises CatalogUnavailable when there
        is no copy and the fetch fails, is not done within HTTP_READ_TIMEOUT, or may not start
        yet after a failed one."""
        config = current_app.config
        copy = self.usable_copy()
        if copy is not None and copy.age_seconds() < config["CATALOG_CACHE_SECONDS"]:
            return copy
        fetch = self.start_fetch(current_app._get_current_object())
        if copy is not None:
            return copy.as_stale()
        return self.wait_for_copy(fetch, config["HTTP_READ_TIMEOUT"])

    def usable_copy(self) -> CatalogSnapshot | None:
        """The copy kept, unless it is older than the cache keeps a stale copy."""
        copy = self.snapshot
        if copy is None or copy.age_seconds() >= current_app.config["CATALOG_STALE_SECONDS"]:
            return None
        return copy

    def start_fetch(self, app: Flask) -> threading.Thread | None:
        """The fetch under way, or a new one if none started in the last
        CATALOG_RETRY_SECONDS; None while the provider is left alone."""
        with self.guard:
            if self.fetch is not None:
                return self.fetch
            now = time.monotonic()
            if now < self.next_fetch_at:
                return None
            self.next_fetch_at = now + app.config["CATALOG_RETRY_SECONDS"]
            fetch = threading.Thread(
                target=self.fetch_and_remember, args=(app,), name="catalog-fetch", daemon=True
            )
            fetch.start()  # under the lock, so nobody joins it before it has started
            self.fetch = fetch
            return fetch

    def fetch_and_remember(self, app: Flask) -> None:
        with app.app_context():
            try:
                self.remember(CatalogSnapshot(tuple(fetch_catalog()), datetime.now(UTC)))
            except ProviderError as error:
                log.warning("catalog fetch while Redis is unavailable failed: %s", error)
            finally:
                with self.guard:
                    self.fetch = None

    def wait_for_copy(self, fetch: threading.Thread | None, seconds: float) -> CatalogSnapshot:
        if fetch is not None:
            fetch.join(timeout=seconds)
            if fetch.is_alive():
                raise CatalogUnavailable(
                    f"the provider's catalog did not arrive within {seconds:g} s"
                )
        copy = self.usable_copy()
        if copy is None:
            raise CatalogUnavailable("the provider's catalog could not be read")
        return copy

    def wait_for_fetch(self, seconds: float) -> None:
        """Until the fetch under way, if any, has finished (tests, shutdown)."""
        fetch = self.fetch
        if fetch is not None:
            fetch.join(timeout=seconds)


def catalog_memory() -> CatalogMemory:
    """The app's memory of the catalog, made on first use."""
    memory = current_app.extensions.get(MEMORY_KEY)
    if memory is None:
        memory = current_app.extensions.setdefault(MEMORY_KEY, CatalogMemory())
    return memory
