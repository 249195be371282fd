"""The provider's catalog (`GET /api/service?page=N`, see docs/provider-api.md). Strict about
a page's shape, lenient about each item: a bad item is skipped and logged, never the catalog."""

import json
import logging
import math
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from flask import current_app

from app.money import InvalidMoney, parse_money
from app.provider_http import ProviderHttp, ProviderUnavailable, provider_http

log = logging.getLogger(__name__)

PARALLEL_PAGES = 8
MONEY_FIELDS = ("price", "tax", "gross")
TEXT_LIMITS = {"name": 255, "description": 5000, "updated_at": 64}
MAX_IMAGE_URL = 2048


class InvalidItem(ValueError):
    """One catalog item that cannot be used; the message says why."""


class CatalogUnavailable(Exception):
    """There is no copy of the catalog at all and the provider is not answering."""


@dataclass(frozen=True)
class CatalogService:
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
        return {**asdict(self), **{field: str(getattr(self, field)) for field in MONEY_FIELDS}}


def canonical_uuid(value) -> str | None:
    """The lower-case hyphenated form of a UUID given as a string or `uuid.UUID`, else None."""
    if not isinstance(value, str | uuid.UUID):
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        return None


def optional_text(value) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def web_image(value) -> str | None:
    """Only http(s) URLs may become an <img src>; anything else shows the placeholder."""
    url = optional_text(value) or ""
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def parse_item(item) -> CatalogService:
    if not isinstance(item, Mapping):
        raise InvalidItem("item is not an object")
    service_uuid = canonical_uuid(item.get("uuid"))
    if service_uuid is None:
        raise InvalidItem(f"no valid uuid: {item.get('uuid')!r}")
    name = optional_text(item.get("name"))
    if name is None:
        raise InvalidItem(f"service {service_uuid} has no name")
    try:
        money = {field: parse_money(item.get(field)) for field in MONEY_FIELDS}
    except InvalidMoney as error:
        raise InvalidItem(str(error)) from error
    return CatalogService(
        uuid=service_uuid,
        name=name,
        description=optional_text(item.get("description")),
        image=web_image(item.get("image")),
        **money,
        updated_at=optional_text(item.get("updated_at")),
    )


def fitted(item) -> tuple[object, list[str]]:
    """A copy of the item the database can store, with a note for each change."""
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
    return provider_http("catalog", "CATALOG_SERVICES", PARALLEL_PAGES)


def page_body(response: requests.Response) -> dict:
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as error:
        raise ProviderUnavailable("the catalog page is not JSON") from error
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProviderUnavailable("the catalog page has no data list")
    return body


def fetch_catalog() -> list[CatalogService]:
    """Every service on every page, each uuid once (the first kept); any failure is a
    `ProviderError`. Page 1 gives the page count; the rest are read in parallel threads, which
    need no app context."""
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
