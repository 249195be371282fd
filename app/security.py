"""Protections around every response: trusted proxies, security headers (the app's own scripts
and styles only, no framing), and private pages kept out of every cache."""

from flask import Flask, Response, abort, g, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def refuse_undecodable_query() -> None:
    """A 400 before any view or error page reads `request.args`, which would raise."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        abort(400, description=_("The address has characters that are not UTF-8."))


def keep_out_of_caches(response: Response) -> Response:
    """`no-store` on what was drawn for a logged-in user (a request that never looked its user up
    shows nobody's data); the dashboard's ETag still works, as the page sends it itself."""
    user = g.get("_login_user")  # Flask-Login's, set only once the request asked who it is
    if request.endpoint != "static" and getattr(user, "is_authenticated", False):
        response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    # X-Forwarded-For/-Proto only from PROXY_COUNT known proxies: anyone can send them.
    if (count := app.config["PROXY_COUNT"]) > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    app.before_request(refuse_undecodable_query)
    app.after_request(keep_out_of_caches)
    headers = dict(HEADERS)
    if app.config["APP_ENV"] == "production":
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
