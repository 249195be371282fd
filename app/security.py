"""Protections around every response: trusted proxies, security headers, and private pages
kept out of every cache.

The Content-Security-Policy allows only the app's own scripts and styles (no inline code, no
eval: htmx is told not to inject its indicator styles nor evaluate code, see base.html), images
from the provider's catalog over http(s), and no framing by anyone.
"""

from flask import Flask, Response, abort, g, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: http:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from X-Forwarded-For/-Proto only when PROXY_COUNT
    proxies are known to sit in front of the app; otherwise anyone could forge them."""
    count = app.config["PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def refuse_undecodable_query() -> None:
    """A query string that is not UTF-8 is a 400 before any view (or error page) reads it:
    werkzeug decodes `request.args` strictly and would raise."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        abort(400, description=_("The address has characters that are not UTF-8."))


def drawn_for_a_customer() -> bool:
    """The response was made for a logged-in user: it may show their orders, drafts, account
    or (for an operator) the console. Such a request has always looked up its user; a request
    that never did (a static file, the login page, a health probe) shows nobody's data."""
    user = g.get("_login_user")  # Flask-Login's, set only once the request asked who it is
    return bool(getattr(user, "is_authenticated", False))


def keep_out_of_caches(response: Response) -> Response:
    """`Cache-Control: no-store` on every page and fragment drawn for a logged-in user, so that
    neither a shared cache nor the browser keeps a copy (a shared computer's back button, a
    proxy). The dashboard table's ETag still works: the page sends it back itself, through
    htmx's `hx-headers`, and a request that carries its own `If-None-Match` bypasses the
    browser's cache anyway. Static files and the public pages keep their own caching."""
    if request.endpoint != "static" and drawn_for_a_customer():
        response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.before_request(refuse_undecodable_query)
    app.after_request(keep_out_of_caches)
    headers = dict(HEADERS)
    if app.config["APP_ENV"] == "production":
        headers["Strict-Transport-Security"] = HSTS

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
