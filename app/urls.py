"""Helpers for URLs: safe redirect targets, and order URLs built cheaply for tables."""

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request, url_for

MAX_TARGET_LENGTH = 2000
# Control characters (C0, DEL, C1): a CR/LF would break the Location header, and browsers drop
# tabs and newlines from URLs, so "/\t/evil.example" would become "//evil.example".
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def local_path(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback`: never an open redirect."""
    if not target or len(target) > MAX_TARGET_LENGTH or CONTROL_CHARACTERS.search(target):
        return fallback
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    return fallback if parts.scheme or parts.netloc else target


ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def order_url(endpoint: str, order_id) -> str:
    """`url_for(endpoint, order_id=order_id)`, routed once per request and endpoint."""
    patterns = g.setdefault("order_url_patterns", {})
    pattern = patterns.get(endpoint)
    if pattern is None:
        pattern = patterns[endpoint] = url_for(endpoint, order_id=ID_PLACEHOLDER)
    return pattern.replace(ID_PLACEHOLDER, str(order_id), 1)


def template_url_for(endpoint: str, **values) -> str:
    """The templates' `url_for`. The address of a page without arguments, or of a static file
    (fingerprinted once per process), is the same on every request under one script root: it is
    built once per process and kept; any other address is built as Flask builds it."""
    fixed = not values or (endpoint == "static" and values.keys() == {"filename"})
    if not (fixed and has_request_context()):
        return url_for(endpoint, **values)
    key = (endpoint, values.get("filename"), request.script_root)
    kept = current_app.extensions["kept_urls"]
    address = kept.get(key)
    if address is None:
        address = kept[key] = url_for(endpoint, **values)
    return address


def init_app(app: Flask) -> None:
    app.extensions["kept_urls"] = {}
    app.jinja_env.globals["url_for"] = template_url_for


API_PREFIX = "/api/v"  # /api/v1/… (the reference at /api/docs is a page)


def is_api_request() -> bool:
    """Under /api: answered in JSON, authenticated by token only (app/api)."""
    return has_request_context() and request.path.startswith(API_PREFIX)
