"""The dashboard's table, tagged (an ETag) by all it shows: 304 before any order is read when
the client has it, else rendered once per tag and process, and kept."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.flashes import messages_waiting
from app.i18n import TRANSLATIONS, locale_code
from app.kept import Kept, kept
from app.time_zones import reader_zone

PARTS = ("table", "row", "actions", "stats", "holds")
TEMPLATES = (*(f"orders/_{part}.html" for part in PARTS), "_pager.html")  # those that draw it
TOKEN_PLACEHOLDER = "\x00csrf-token\x00"


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


def drawn_once(store: Kept, key, draw: Callable[[], str]) -> Markup:
    """HTML for `key` from the process's `store`, or drawn by `draw()` and kept. The CSRF token,
    all that differs between a user's sessions, is kept as a placeholder and put back."""
    token = generate_csrf()
    html = store.get(key)
    if html is None:
        html = draw()
        store.put(key, html.replace(token, TOKEN_PLACEHOLDER))
        return Markup(html)
    return Markup(html.replace(TOKEN_PLACEHOLDER, token))


def rendered_table(tag: str, listing: Callable) -> Markup:
    """The table for this tag: kept from an earlier request, or rendered from `listing()`."""
    draw = lambda: render_template("orders/_table.html", listing=listing(), table_tag=tag)  # noqa: E731
    return drawn_once(kept("orders_tables", "ORDERS_TABLE_CACHE_SIZE"), tag, draw)


def rendered_page(tag: str, table: Markup, search: str) -> Markup:
    """The whole dashboard around its table, kept like the table: the tag names the user, their
    orders' version, language, zone and listing; the rest of the page shows their address, their
    role and this address (the language switch comes back to it). A page with messages waiting
    to be shown is drawn anew, since showing them uses them up."""
    draw = lambda: render_template("orders/index.html", table=table, search=search)  # noqa: E731
    if messages_waiting():
        return Markup(draw())
    key = (tag, current_user.email, current_user.is_operator, request.full_path, request.method)
    return drawn_once(kept("orders_pages", "ORDERS_PAGE_CACHE_SIZE"), key, draw)


def tagged(response: Response, tag: str) -> Response:
    """Tagged, and never kept by a shared cache (it is one user's table)."""
    response.set_etag(tag)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response
