"""Security headers on every response, HSTS in production, and pages that need nothing the
Content-Security-Policy forbids (no inline script, handler or style; no eval in htmx)."""

import json
import re

import pytest

from app import create_app
from tests.support.environment import PRODUCTION, use_environment

PAGES = ["/", "/catalog", "/orders/new", "/account", "/no-such-page"]
INLINE_CODE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script without src
    re.compile(r"\son[a-z]+\s*=", re.I),  # an event handler attribute
    re.compile(r"\sstyle\s*=", re.I),  # a style attribute
    re.compile(r"<style", re.I),
    re.compile(r"javascript:", re.I),
]


def policy(response) -> dict[str, str]:
    directives = response.headers["Content-Security-Policy"].split(";")
    return dict(d.strip().split(" ", 1) for d in directives)


def assert_protected(response) -> None:
    csp = policy(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/static/app.js", "/healthz", "/nowhere"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    assert_protected(response)
    assert "Strict-Transport-Security" not in response.headers


def test_pages_need_no_inline_code(client, draft):
    pages = [
        client.get(path) for path in [*PAGES, f"/orders/{draft.id}", f"/orders/{draft.id}/delete"]
    ]
    pages.append(client.post("/logout", follow_redirects=True))  # with a flash message
    assert "You are logged out." in pages[-1].get_data(as_text=True)
    for response in pages:
        assert_protected(response)
        html = response.get_data(as_text=True)
        found = [pattern.pattern for pattern in INLINE_CODE if pattern.search(html)]
        assert not found, f"{response.request.path} has inline code: {found}"


def test_htmx_neither_injects_styles_nor_evaluates_code(client):
    html = client.get("/login").get_data(as_text=True)
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", html).group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False


def test_production_adds_hsts(monkeypatch):
    use_environment(monkeypatch, **PRODUCTION)
    response = create_app().test_client().get("/healthz")
    assert_protected(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
