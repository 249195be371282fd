"""Cached reads of the provider's catalog: the interface the pages and the orders code use.

A fresh copy is kept for CATALOG_CACHE_SECONDS, a stale one for CATALOG_STALE_SECONDS. Past
expiry the stale copy is served while one thread of one process (a Redis lock) fetches; with no
copy, readers share that fetch and wait up to HTTP_READ_TIMEOUT, then get a 503. After a failure
the copy is served marked stale, and the provider is left alone for CATALOG_RETRY_SECONDS. While
Redis cannot answer, each process serves the last copy it saw (`CatalogMemory`) and fetches one
at a time, at most once every CATALOG_RETRY_SECONDS.
"""

import logging
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from flask import Flask, current_app

from app.catalog.client import CatalogService, CatalogUnavailable, canonical_uuid, fetch_catalog
from app.catalog.store import FRESH_KEY, STALE_KEY, CatalogSnapshot, CatalogStore
from app.provider_http import ProviderError, flush_recent_calls

log = logging.getLogger(__name__)

MEMORY_KEY = "catalog_memory"


def get_catalog() -> CatalogSnapshot:
    """The catalog, at most CATALOG_CACHE_SECONDS old unless the provider is failing; raises
    CatalogUnavailable when there is no copy at all and the provider is not answering."""
    store, memory = CatalogStore(), catalog_memory()
    if (fresh := store.load(FRESH_KEY)) is not None:
        return memory.remember(fresh)
    previous = store.load(STALE_KEY)
    if not store.available:
        return memory.read()
    if previous is None:
        refresh_in_background(store)
        return memory.remember(wait_for_fresh(store))
    memory.remember(previous)
    if store.recently_failed():
        return previous.as_stale()
    refresh_in_background(store)
    return previous


def find_services(uuids: Iterable[str | UUID]) -> dict[str, CatalogService]:
    """The catalog's services with these uuids, by canonical uuid; the rest are absent."""
    index = get_catalog().by_uuid()
    return {key: index[key] for key in map(canonical_uuid, uuids) if key in index}


def refresh_catalog() -> CatalogSnapshot:
    """Fetch the catalog now and keep it; raises CatalogUnavailable if the provider fails."""
    store = CatalogStore()
    lock = store.take_refresh_lock()
    try:
        return fetch_and_keep(store)
    finally:
        store.release(lock)


def refresh_in_background(store: CatalogStore) -> None:
    """Start the one fetch in a thread, unless a thread somewhere holds the refresh lock or a
    fetch finished since the caller looked at the cache."""
    lock = store.take_refresh_lock()
    if lock is None:
        return
    if store.load(FRESH_KEY) is not None:
        store.release(lock)
        return
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=refresh_and_release, args=(app, lock), name="catalog-refresh", daemon=True
    )
    app.extensions["catalog_refresh"] = thread
    thread.start()


def refresh_and_release(app: Flask, lock) -> None:
    with app.app_context():
        store = CatalogStore()
        try:
            fetch_and_keep(store)
        except CatalogUnavailable as error:
            log.warning("background catalog refresh failed: %s", error)
        finally:
            store.release(lock)


def wait_for_background_refresh(app: Flask) -> None:
    """Until this app's background fetches, if any, have finished (tests, shutdown)."""
    memory = app.extensions.get(MEMORY_KEY)
    for thread in (app.extensions.get("catalog_refresh"), memory and memory.fetch):
        if thread is not None:
            thread.join(timeout=30)


def fetch_and_keep(store: CatalogStore) -> CatalogSnapshot:
    """Read the provider and keep the copies; on failure, mark it and raise CatalogUnavailable."""
    try:
        snapshot = CatalogSnapshot(tuple(fetch_catalog()), datetime.now(UTC))
    except ProviderError as error:
        store.mark_failed(current_app.config["CATALOG_RETRY_SECONDS"])
        raise CatalogUnavailable(str(error)) from error
    finally:
        flush_recent_calls()
    text, config = snapshot.to_json(), current_app.config
    store.write(FRESH_KEY, text, config["CATALOG_CACHE_SECONDS"])
    store.write(STALE_KEY, text, config["CATALOG_STALE_SECONDS"])
    store.clear_failure()
    return catalog_memory().remember(snapshot)


def wait_for_fresh(store: CatalogStore) -> CatalogSnapshot:
    """Poll for the copy the background fetch is making; give up after HTTP_READ_TIMEOUT, or as
    soon as the fetch is over without one."""
    seconds = current_app.config["HTTP_READ_TIMEOUT"]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        still_fetching = store.refresh_in_progress()
        if (snapshot := store.load(FRESH_KEY)) is not None:
            return snapshot
        if not still_fetching:
            break
        time.sleep(0.05)
    if store.recently_failed():
        raise CatalogUnavailable("the provider's catalog could not be read")
    raise CatalogUnavailable(f"the provider's catalog did not arrive within {seconds:g} s")


class CatalogMemory:
    """This process's own copy. Its lock is `threading`'s, made on first use (never at import),
    so under gunicorn's gevent worker, which patches `threading` first, it is gevent's."""

    def __init__(self) -> None:
        self.snapshot: CatalogSnapshot | None = None
        self.guard = threading.Lock()
        self.fetch: threading.Thread | None = None  # the fetch under way
        self.next_fetch_at = 0.0  # time.monotonic(); no fetch starts before it

    def remember(self, snapshot: CatalogSnapshot) -> CatalogSnapshot:
        with self.guard:
            if self.snapshot is None or snapshot.fetched_at >= self.snapshot.fetched_at:
                self.snapshot = snapshot
        return snapshot

    def read(self) -> CatalogSnapshot:
        """The copy kept (marked stale past CATALOG_CACHE_SECONDS, when a fetch may start), or
        with none, the fetch under way's if it succeeds within HTTP_READ_TIMEOUT."""
        config = current_app.config
        copy = self.usable_copy()
        if copy is not None and copy.age_seconds() < config["CATALOG_CACHE_SECONDS"]:
            return copy
        fetch = self.start_fetch(current_app._get_current_object())
        if copy is not None:
            return copy.as_stale()
        seconds = config["HTTP_READ_TIMEOUT"]
        if fetch is not None:
            fetch.join(timeout=seconds)
            if fetch.is_alive():
                raise CatalogUnavailable(
                    f"the provider's catalog did not arrive within {seconds:g} s"
                )
        if (copy := self.usable_copy()) is None:
            raise CatalogUnavailable("the provider's catalog could not be read")
        return copy

    def usable_copy(self) -> CatalogSnapshot | None:
        copy, limit = self.snapshot, current_app.config["CATALOG_STALE_SECONDS"]
        return copy if copy is not None and copy.age_seconds() < limit else None

    def start_fetch(self, app: Flask) -> threading.Thread | None:
        """The fetch under way, or a new one unless one started within CATALOG_RETRY_SECONDS."""
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


def catalog_memory() -> CatalogMemory:
    return current_app.extensions.setdefault(MEMORY_KEY, CatalogMemory())
