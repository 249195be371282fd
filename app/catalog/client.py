"""The provider's catalog (`GET /api/service?page=N`, see docs/provider-api.md), read over
app/provider_http.py.

Strict about the shape of a page, lenient about each item: an item we cannot use is skipped and
logged, so one bad record never hides the rest of the catalog.
"""

import json
import logging
import math
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from flask import current_app

from app.money import InvalidMoney, parse_money
from app.provider_http import ProviderHttp, ProviderUnavailable, provider_http

log = logging.getLogger(__name__)

PARALLEL_PAGES = 8
MONEY_FIELDS = ("price", "tax", "gross")
# The longest text kept from an item (the name's column holds 255); longer text is clipped.
TEXT_LIMITS = {"name": 255, "description": 5000, "updated_at": 64}
MAX_IMAGE_URL = 2048


class InvalidItem(ValueError):
    """One catalog item that cannot be used; the message says why."""


@dataclass(frozen=True)
class CatalogService:
    """One service as the provider's catalog describes it; money is exact."""

    uuid: str
    name: str
    description: str | None
    image: str | None
    price: Decimal
    tax: Decimal
    gross: Decimal
    updated_at: str | None

    def to_dict(self) -> dict:
        """The wire shape (money as strings), which `parse_item` reads back unchanged."""
        money = {field: str(getattr(self, field)) for field in MONEY_FIELDS}
        return {
            "uuid": self.uuid,
            "name": self.name,
            "description": self.description,
            "image": self.image,
            **money,
            "updated_at": self.updated_at,
        }


def canonical_uuid(value) -> str | None:
    """The lower-case hyphenated form of a UUID given as a string or `uuid.UUID`, else None."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


def item_money(item: Mapping, field: str) -> Decimal:
    try:
        return parse_money(item.get(field))
    except InvalidMoney as error:
        raise InvalidItem(str(error)) from error


def optional_text(value) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def web_image(value) -> str | None:
    """Only http(s) URLs may become an <img src>; anything else shows the placeholder."""
    url = optional_text(value)
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def parse_item(item) -> CatalogService:
    """One catalog item as a `CatalogService`; raises `InvalidItem` when it cannot be used."""
    if not isinstance(item, Mapping):
        raise InvalidItem("item is not an object")
    service_uuid = canonical_uuid(item.get("uuid"))
    if service_uuid is None:
        raise InvalidItem(f"no valid uuid: {item.get('uuid')!r}")
    name = optional_text(item.get("name"))
    if name is None:
        raise InvalidItem(f"service {service_uuid} has no name")
    return CatalogService(
        uuid=service_uuid,
        name=name,
        description=optional_text(item.get("description")),
        image=web_image(item.get("image")),
        **{field: item_money(item, field) for field in MONEY_FIELDS},
        updated_at=optional_text(item.get("updated_at")),
    )


def fitted(item) -> tuple[object, list[str]]:
    """A copy of the item whose text the database can store: NUL characters removed, text
    over TEXT_LIMITS clipped, an over-long image URL dropped; with a note for each change."""
    if not isinstance(item, Mapping):
        return item, []
    item, notes = dict(item), []
    for field in (*TEXT_LIMITS, "image"):
        if isinstance(item.get(field), str) and "\x00" in item[field]:
            item[field] = item[field].replace("\x00", "")
            notes.append(f"NUL characters removed from {field}")
    for field, limit in TEXT_LIMITS.items():
        if isinstance(item.get(field), str) and len(item[field].strip()) > limit:
            item[field] = item[field].strip()[:limit]
            notes.append(f"{field} clipped to {limit} characters")
    if isinstance(item.get("image"), str) and len(item["image"]) > MAX_IMAGE_URL:
        item["image"] = None
        notes.append(f"image URL longer than {MAX_IMAGE_URL} characters dropped")
    return item, notes


def parse_items(items: Iterable, page: int) -> list[CatalogService]:
    """The usable items of one page, fitted to the database; one warning for each item that was
    skipped or changed."""
    services = []
    for position, raw in enumerate(items):
        item, notes = fitted(raw)
        try:
            service = parse_item(item)
        except InvalidItem as error:
            log.warning("catalog page %s item %s skipped: %s", page, position, error)
            continue
        if notes:
            changes = "; ".join(notes)
            log.warning(
                "catalog page %s item %s (%s) changed: %s", page, position, service.uuid, changes
            )
        services.append(service)
    return services


def count_of(value, minimum: int) -> int:
    """A pagination count sent as an int or a digit string."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProviderUnavailable(f"catalog pagination is malformed: {value!r}")
    return value


def page_count(pagination) -> int:
    """`ceil(totalCount / pageSize)` pages, bounded by CATALOG_MAX_PAGES."""
    if not isinstance(pagination, Mapping):
        raise ProviderUnavailable("catalog page has no pagination object")
    size = count_of(pagination.get("pageSize"), 1)
    total = count_of(pagination.get("totalCount"), 0)
    pages = math.ceil(total / size)
    limit = current_app.config["CATALOG_MAX_PAGES"]
    if pages > limit:
        log.warning("catalog has %s pages; reading only the first %s", pages, limit)
    return max(1, min(pages, limit))


def catalog_http() -> ProviderHttp:
    """The app's client of the catalog service, made on first use."""
    return provider_http("catalog", "CATALOG_SERVICES", PARALLEL_PAGES)


def page_body(response: requests.Response) -> dict:
    """One page as a JSON object with a `data` list, its amounts read as exact decimals."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as error:
        raise ProviderUnavailable("the catalog page is not JSON") from error
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProviderUnavailable("the catalog page has no data list")
    return body


def fetch_catalog() -> list[CatalogService]:
    """Every service on every page (each uuid once, first occurrence kept); any failure is a
    `ProviderError`. Page 1 says how many pages there are; the others are read at the same
    time (pool threads need no app context), so a slow provider costs two page times, not
    one per page."""
    http = catalog_http()

    def read(page: int) -> dict:
        return http.call("page", "GET", "/api/service", page_body, params={"page": page})

    first = read(1)
    services = parse_items(first["data"], 1)
    pages = range(2, page_count(first.get("pagination")) + 1)
    with ThreadPoolExecutor(max(1, min(PARALLEL_PAGES, len(pages)))) as pool:
        for page, body in zip(pages, pool.map(read, pages), strict=True):
            services.extend(parse_items(body["data"], page))
    unique: dict[str, CatalogService] = {}
    for service in services:
        unique.setdefault(service.uuid, service)
    return list(unique.values())
