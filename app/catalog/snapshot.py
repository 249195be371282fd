"""One whole copy of the catalog, as the pages, the cache and each process's memory hold it."""

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from app.catalog.client import CatalogService, parse_item


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
        services = tuple(parse_item(item) for item in body["services"])
        return cls(services=services, fetched_at=fetched_at.astimezone(UTC))


def searchable(service: CatalogService) -> str:
    return f"{service.name}\n{service.description or ''}".casefold()
