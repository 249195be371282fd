"""The dashboard's table, tagged (an ETag) by all it shows: 304 before any order is read when
the client has it, else rendered once per tag and process, and kept."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.i18n import TRANSLATIONS, locale_code
from app.time_zones import reader_zone

PARTS = ("table", "row", "actions", "stats", "holds")
TEMPLATES = (*(f"orders/_{part}.html" for part in PARTS), "_pager.html")  # those that draw it
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
    """A digest of the templates and translations, so a deploy that changes them changes tags."""
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


def current_table_tag(args) -> str:
    config = current_app.config
    user = (current_user.id, current_user.orders_version, locale_code(), reader_zone())
    shown = (args.page, args.status, args.search, datetime.now(UTC).strftime("%Y-%m"))
    settings = (config["ORDERS_PER_PAGE"], config["ORDERS_REFRESH_SECONDS"], request.script_root)
    parts = (user, shown, settings, templates_fingerprint())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def rendered_table(tag: str, listing: Callable) -> Markup:
    """The table for this tag: kept from an earlier request, or rendered from `listing()`."""
    size = current_app.config["ORDERS_TABLE_CACHE_SIZE"]
    tables = current_app.extensions.setdefault("orders_tables", RecentTables(size))
    token = generate_csrf()
    html = tables.get(tag)
    if html is None:
        html = render_template("orders/_table.html", listing=listing(), table_tag=tag)
        if size:  # the CSRF token is all that differs between a user's sessions
            tables.put(tag, html.replace(token, TOKEN_PLACEHOLDER))
        return Markup(html)
    return Markup(html.replace(TOKEN_PLACEHOLDER, token))


def tagged(response: Response, tag: str) -> Response:
    """Tagged, and never kept by a shared cache (it is one user's table)."""
    response.set_etag(tag)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response
