"""Cached reads of the provider's catalog: the interface the pages and the orders code use.

- A fresh copy is kept for CATALOG_CACHE_SECONDS; a stale copy for CATALOG_STALE_SECONDS.
- At expiry one process fetches (a Redis lock); the others serve the previous copy, or, when there
  is none yet, wait briefly for the fetcher's copy.
- When a refresh fails the stale copy is served, marked stale, and the provider is left alone
  for CATALOG_RETRY_SECONDS.
- With Redis down every request reads the provider directly, so pages still work.
"""

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from flask import current_app

from app.catalog.client import (
    CatalogError,
    CatalogService,
    InvalidItem,
    canonical_uuid,
    fetch_catalog,
    parse_item,
)
from app.catalog.store import FRESH_KEY, STALE_KEY, CatalogStore

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05


class CatalogUnavailable(Exception):
    """There is no copy of the catalog at all and the provider is not answering."""


@dataclass(frozen=True)
class CatalogSnapshot:
    """The whole catalog as read at `fetched_at` (UTC); `stale` when a refresh just failed."""

    services: tuple[CatalogService, ...]
    fetched_at: datetime
    stale: bool = False

    def search(self, query: str) -> tuple[CatalogService, ...]:
        """Services whose name or description contains every word of `query`, ignoring case."""
        words = query.casefold().split()
        return tuple(s for s in self.services if all(w in searchable(s) for w in words))

    def by_uuid(self) -> dict[str, CatalogService]:
        return {service.uuid: service for service in self.services}

    def as_stale(self) -> "CatalogSnapshot":
        return replace(self, stale=True)

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
        services = tuple(parse_item(item) for item in body["services"])
        return cls(services=services, fetched_at=fetched_at.astimezone(UTC))


def searchable(service: CatalogService) -> str:
    return f"{service.name}\n{service.description or ''}".casefold()


def get_catalog() -> CatalogSnapshot:
    """The catalog, at most CATALOG_CACHE_SECONDS old unless the provider is failing.

    Raises CatalogUnavailable when there is no copy at all and the provider is not answering.
    """
    store = CatalogStore()
    return load(store, FRESH_KEY) or refresh_expired(store)


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
    with store.refresh_lock():
        return fetch_and_keep(store, previous=None)


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


def refresh_expired(store: CatalogStore) -> CatalogSnapshot:
    """The fresh copy has expired: fetch it in one process, let the others make do meanwhile."""
    previous = load(store, STALE_KEY)
    if previous is not None and store.recently_failed():
        return previous.as_stale()
    with store.refresh_lock() as ours:
        if ours:
            return load(store, FRESH_KEY) or fetch_and_keep(store, previous)
    return previous or wait_for_fresh(store)


def fetch_and_keep(store: CatalogStore, previous: CatalogSnapshot | None) -> CatalogSnapshot:
    """Read the provider and keep both copies; on failure fall back to `previous`, marked stale."""
    try:
        snapshot = CatalogSnapshot(tuple(fetch_catalog()), datetime.now(UTC))
    except CatalogError as error:
        store.mark_failed(current_app.config["CATALOG_RETRY_SECONDS"])
        if previous is None:
            raise CatalogUnavailable(str(error)) from error
        log.warning("catalog refresh failed, serving the older copy: %s", error)
        return previous.as_stale()
    keep(store, snapshot)
    return snapshot


def keep(store: CatalogStore, snapshot: CatalogSnapshot) -> None:
    text, config = snapshot.to_json(), current_app.config
    store.write(FRESH_KEY, text, config["CATALOG_CACHE_SECONDS"])
    store.write(STALE_KEY, text, config["CATALOG_STALE_SECONDS"])
    store.clear_failure()


def wait_for_fresh(store: CatalogStore) -> CatalogSnapshot:
    """Another process is fetching the very first copy: poll for it for a few seconds."""
    deadline = time.monotonic() + current_app.config["CATALOG_WAIT_SECONDS"]
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        still_fetching = store.refresh_in_progress()
        if (snapshot := load(store, FRESH_KEY)) is not None:
            return snapshot
        if not still_fetching:
            break
    raise CatalogUnavailable("no catalog copy yet and the refresh did not finish in time")
