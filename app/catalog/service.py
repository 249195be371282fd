"""Cached reads of the provider's catalog: the interface the pages and the orders code use.

- A fresh copy is kept for CATALOG_CACHE_SECONDS; a stale copy for CATALOG_STALE_SECONDS.
- At expiry the previous copy is served at once while one thread of one process (a Redis
  lock) fetches the catalog in the background: nobody waits for a slow provider.
- With no copy at all, the same single background fetch is shared: every reader waits for it,
  but never longer than HTTP_READ_TIMEOUT; past that, a 503 asks to try again shortly, and the
  fetch goes on to fill the cache.
- When a refresh fails the stale copy is served, marked stale, and the provider is left alone
  for CATALOG_RETRY_SECONDS.
- Each process remembers the last copy it read or fetched (app/catalog/memory.py). While Redis
  cannot answer, it answers from that copy and reads the provider itself at most once per
  CATALOG_RETRY_SECONDS, one fetch at a time, so pages still work and the provider stays calm.
"""

import logging
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from flask import Flask, current_app

from app.catalog.client import CatalogService, InvalidItem, canonical_uuid, fetch_catalog
from app.catalog.memory import MEMORY_KEY, catalog_memory
from app.catalog.snapshot import CatalogSnapshot, CatalogUnavailable
from app.catalog.store import FRESH_KEY, STALE_KEY, CatalogStore
from app.provider_http import ProviderError, flush_recent_calls

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05


def get_catalog() -> CatalogSnapshot:
    """The catalog, at most CATALOG_CACHE_SECONDS old unless the provider is failing.

    Raises CatalogUnavailable when there is no copy at all and the provider is not answering.
    """
    store, memory = CatalogStore(), catalog_memory()
    fresh = load(store, FRESH_KEY)
    if fresh is not None:
        return memory.remember(fresh)
    previous = load(store, STALE_KEY)
    if not store.available:
        return memory.read()
    if previous is None:
        return memory.remember(first_copy(store))
    memory.remember(previous)
    if store.recently_failed():
        return previous.as_stale()
    refresh_in_background(store)
    return previous


def find_services(uuids: Iterable[str | UUID]) -> dict[str, CatalogService]:
    """These uuids, as the catalog has them now: the ones found, keyed by canonical uuid.

    Invalid and unknown uuids are simply absent; the caller decides what that means.
    """
    index = get_catalog().by_uuid()
    found = {}
    for given in uuids:
        key = canonical_uuid(given)
        if key in index:
            found[key] = index[key]
    return found


def refresh_catalog() -> CatalogSnapshot:
    """Fetch the catalog now and keep it; raises CatalogUnavailable if the provider fails."""
    store = CatalogStore()
    lock = store.take_refresh_lock()
    try:
        return fetch_and_keep(store)
    finally:
        store.release(lock)


def load(store: CatalogStore, key: str) -> CatalogSnapshot | None:
    """The copy under `key`; a malformed entry counts as missing."""
    text = store.read(key)
    if text is None:
        return None
    try:
        return CatalogSnapshot.from_json(text)
    except (ValueError, KeyError, TypeError, InvalidItem) as error:
        log.warning("catalog cache entry %s is malformed, ignoring it: %s", key, error)
        return None


def first_copy(store: CatalogStore) -> CatalogSnapshot:
    """No copy at all: wait for the one background fetch, up to the read timeout."""
    refresh_in_background(store)
    return wait_for_fresh(store, current_app.config["HTTP_READ_TIMEOUT"])


def refresh_in_background(store: CatalogStore) -> None:
    """Start the one fetch, in a thread, unless a thread somewhere holds the refresh lock or a
    fetch finished between the caller's look at the cache and this lock."""
    lock = store.take_refresh_lock()
    if lock is None:
        return
    if load(store, FRESH_KEY) is not None:
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


def wait_for_background_refresh(app: Flask, seconds: float = 30) -> None:
    """Until this app's background fetches, if any, have finished (tests, shutdown)."""
    thread = app.extensions.get("catalog_refresh")
    if thread is not None:
        thread.join(timeout=seconds)
    memory = app.extensions.get(MEMORY_KEY)
    if memory is not None:
        memory.wait_for_fetch(seconds)


def fetch_and_keep(store: CatalogStore) -> CatalogSnapshot:
    """Read the provider and keep both copies, and the calls' record for the health page; on
    failure, mark it and raise CatalogUnavailable."""
    try:
        snapshot = CatalogSnapshot(tuple(fetch_catalog()), datetime.now(UTC))
    except ProviderError as error:
        store.mark_failed(current_app.config["CATALOG_RETRY_SECONDS"])
        raise CatalogUnavailable(str(error)) from error
    finally:
        flush_recent_calls()
    keep(store, snapshot)
    return snapshot


def keep(store: CatalogStore, snapshot: CatalogSnapshot) -> None:
    text, config = snapshot.to_json(), current_app.config
    store.write(FRESH_KEY, text, config["CATALOG_CACHE_SECONDS"])
    store.write(STALE_KEY, text, config["CATALOG_STALE_SECONDS"])
    store.clear_failure()
    catalog_memory().remember(snapshot)


def wait_for_fresh(store: CatalogStore, seconds: float) -> CatalogSnapshot:
    """Poll for the copy the background fetch is making; give up after `seconds`, or as soon
    as the fetch is over without one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        still_fetching = store.refresh_in_progress()
        if (snapshot := load(store, FRESH_KEY)) is not None:
            return snapshot
        if not still_fetching:
            break
        time.sleep(POLL_SECONDS)
    if store.recently_failed():
        raise CatalogUnavailable("the provider's catalog could not be read")
    raise CatalogUnavailable(f"the provider's catalog did not arrive within {seconds:g} s")
