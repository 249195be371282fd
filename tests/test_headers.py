"""Security headers on every response, HSTS in production, pages that need nothing the
Content-Security-Policy forbids (no inline script, handler or style; no eval in htmx), and
`Cache-Control: no-store` on everything drawn for a logged-in user, every route of the app
enumerated so that a new one cannot forget it."""

import json
import re
import uuid

import pytest
from flask import url_for

from app import create_app
from app.orders.drafts import create_draft
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


# Routes anyone may reach, whose answers to a visitor who is not logged in show nobody's data
# and keep their own caching. Every other route is a customer's or an operator's.
PUBLIC = {
    "static",
    "auth.login",
    "health.healthz",
    "health.readyz",
    "metrics.scrape",
    "i18n.switch_language",
    "api.openapi_document",
    "api_docs.reference",
}
FRAGMENT = {"HX-Request": "true"}
LOG_OUT = "auth.logout"  # answered once the login is over: the way to the login page


def every_request(app, order_id) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every route and method of the app; the log-out last."""
    values = {"order_id": order_id, "job_id": "no-such-job", "filename": "app.js", "token_id": 1}
    values.update(endpoint_id=uuid.uuid4(), event_id=uuid.uuid4())
    found = []
    for rule in app.url_map.iter_rules():
        with app.test_request_context():
            path = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return sorted(found, key=lambda request: request[0] == LOG_OUT)


def cache_control(client, method: str, path: str, headers: dict) -> str:
    response = client.open(path, method=method, headers=headers, buffered=False)
    response.close()  # the event stream never ends by itself
    return response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("operator", [False, True], ids=["customer", "operator"])
def test_everything_drawn_for_a_logged_in_user_is_no_store(app, factory, services, operator):
    user = factory.user(email="someone@example.com", password="secret-123", operator=operator)
    order = create_draft(user.id, [services[0].uuid])
    client = app.test_client()
    login = {"email": user.email, "password": "secret-123"}
    assert client.post("/login", data=login).status_code == 302
    for endpoint, method, path in every_request(app, order.id):
        for headers in ({}, FRAGMENT):
            control = cache_control(client, method, path, headers)
            if endpoint not in PUBLIC | {LOG_OUT}:
                assert "no-store" in control, f"{method} {path} {headers}: {control!r}"
    assert "no-store" not in client.get("/static/app.js").headers.get("Cache-Control", "")


def test_public_pages_and_static_files_keep_their_caching(client):
    for endpoint, method, path in every_request(client.application, uuid.uuid4()):
        if endpoint in PUBLIC and method == "GET":
            assert "no-store" not in cache_control(client, method, path, {}), path
