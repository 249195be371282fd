"""The dashboard's table: tagged, rendered once per version, and answered 304 when unchanged.

The tag (an ETag) is made of what the table shows: whose orders, their version (a number the
database bumps on every change to the user's orders, read with the user on every request), the
page, the filter, the search, the month (of the summary above the list), the page's language,
the settings, and the templates and translations that draw it. So:

- a refresh that sends back the tag it was given (`If-None-Match`) and finds it current is
  answered `304 Not Modified` before any order is read; htmx leaves the table in place;
- otherwise the table is rendered once per tag and process, and kept (a few hundred, least
  recently used first out). Only the CSRF token differs between two sessions of the same
  user, so it is kept as a placeholder and filled in per request.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, current_app, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.i18n import TRANSLATIONS, locale_code

TEMPLATES = (
    "orders/_table.html",
    "orders/_row.html",
    "orders/_actions.html",
    "orders/_stats.html",
    "orders/_holds.html",
    "_pager.html",
)
TOKEN_PLACEHOLDER = "\x00csrf-token\x00"


class RecentTables:
    """A bounded map of rendered tables, least recently used first out (one per process)."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> str | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: str, value: str) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def templates_fingerprint() -> str:
    """A digest of the table's templates and the translations, so a deploy that changes them
    changes every tag."""
    fingerprint = current_app.extensions.get("orders_table_templates")
    if fingerprint is None:
        env = current_app.jinja_env
        digest = hashlib.sha256()
        for name in TEMPLATES:
            digest.update(env.loader.get_source(env, name)[0].encode())
        for catalog in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
            digest.update(catalog.read_bytes())
        fingerprint = current_app.extensions["orders_table_templates"] = digest.hexdigest()
    return fingerprint


def table_tag(args, user_id: int, orders_version: int, locale: str) -> str:
    """`args` are the listing's (page, status, search); the user's id and orders version and
    the page's language come from the loaded user. The summary above the table counts this
    month's orders, so the month is part of the tag too."""
    config = current_app.config
    parts = (
        user_id,
        orders_version,
        args.page,
        args.status,
        args.search,
        datetime.now(UTC).strftime("%Y-%m"),
        locale,
        config["ORDERS_PER_PAGE"],
        config["ORDERS_REFRESH_SECONDS"],
        request.script_root,
        templates_fingerprint(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def current_table_tag(args) -> str:
    """The tag for the logged-in user."""
    return table_tag(args, current_user.id, current_user.orders_version, locale_code())


def still_current(tag: str) -> bool:
    """The client already shows the table with this tag."""
    return request.if_none_match.contains(tag)


def rendered_table(tag: str, listing: Callable) -> Markup:
    """The table for this tag: kept from an earlier request, or rendered from `listing()`."""
    size = current_app.config["ORDERS_TABLE_CACHE_SIZE"]
    tables = current_app.extensions.setdefault("orders_tables", RecentTables(size))
    token = generate_csrf()
    html = tables.get(tag)
    if html is None:
        html = render_template("orders/_table.html", listing=listing(), table_tag=tag)
        if size:
            tables.put(tag, html.replace(token, TOKEN_PLACEHOLDER))
        return Markup(html)
    return Markup(html.replace(TOKEN_PLACEHOLDER, token))


def not_modified(tag: str) -> Response:
    return with_tag(Response(status=304), tag)


def table_response(table: Markup, tag: str) -> Response:
    return with_tag(make_response(str(table)), tag)


def with_tag(response: Response, tag: str) -> Response:
    """Tagged, and never kept by a shared cache (it is one user's table)."""
    response.set_etag(tag)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response
