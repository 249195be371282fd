"""An unchanged table refresh answered from memory: `304 Not Modified` before any user is loaded.

The dashboard's table refresh (every ORDERS_REFRESH_SECONDS in each open tab) is by far the most
common request, and almost always finds nothing changed. When this process knows the login
(`known_logins`, kept current by Postgres's notices), the refresh's tag is computed from what
it knows, without a round trip to the database. It answers nothing but `304` (no content),
and only when all of these hold:

- the signed session cookie names a login the process knows, and that login has not expired;
- the cookie belongs to this browser (Flask-Login's session identifier matches, as its session
  protection checks before loading a user);
- the tag computed from what the process knows is the one the browser sent.

Anything else goes the usual way (the user loaded from the database, the tag, the table), and
the usual way teaches the process the login for the next refresh. REFRESH_MEMORY_SIZE sets how
many logins a process keeps; 0 keeps none, and every refresh asks the database.
"""

import threading

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from app.auth.sessions import MAX_TOKEN_LENGTH, digest
from app.extensions import login_manager
from app.htmx import wants_fragment
from app.i18n import locale_for
from app.orders.known_logins import KnownLogins, Login, UserFacts
from app.orders.notices import NoticeListener
from app.orders.queries import parse_listing_args
from app.orders.table import not_modified, still_current, table_tag

DASHBOARD = "orders.dashboard"
starting = threading.Lock()


def memory() -> KnownLogins | None:
    return current_app.extensions.get("known_logins")


def session_token() -> str | None:
    token = session.get("_user_id")
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH:
        return token
    return None


def answer_from_memory():
    """The blueprint's first hook: a 304 for an unchanged table refresh of a known login."""
    known_logins = memory()
    if request.endpoint != DASHBOARD or known_logins is None:
        return None
    start_listening(current_app)
    if "_login_user" not in g:  # before the user is read from the database
        g.known_logins_snapshot = known_logins.snapshot()
    token = session_token()
    if token is None or not (wants_fragment("orders-table") and request.if_none_match):
        return None
    found = known_logins.lookup(digest(token))
    if found is None or session.get("_id") != login_manager._session_identifier_generator():
        return None
    login, facts = found
    args = parse_listing_args(request.args)
    tag = table_tag(args, login.user_id, facts.orders_version, locale_for(facts.locale))
    if not still_current(tag):
        return None
    g.known_user_id = login.user_id  # for the request's log line
    return not_modified(tag)


def remember_current_login() -> None:
    """After the usual way loaded the user: keep what answers their next refresh."""
    known_logins = memory()
    snapshot = g.pop("known_logins_snapshot", None)
    if known_logins is None or snapshot is None or current_user.session_expires_at is None:
        return
    login = Login(current_user.id, current_user.session_expires_at)
    facts = UserFacts(current_user.orders_version, current_user.locale)
    known_logins.remember(digest(current_user.session_token), login, facts, snapshot)


def start_listening(app: Flask) -> None:
    """The process's listener starts with its first dashboard request (after gunicorn forked)."""
    if "notice_listener" in app.extensions:
        return
    with starting:
        if "notice_listener" not in app.extensions:
            listener = NoticeListener(app.extensions["known_logins"], app.config)
            listener.start()
            app.extensions["notice_listener"] = listener


def stop_listening(app: Flask) -> None:
    listener = app.extensions.pop("notice_listener", None)
    if listener is not None:
        listener.stop()


def init_app(app: Flask) -> None:
    size = app.config["REFRESH_MEMORY_SIZE"]
    app.extensions["known_logins"] = KnownLogins(size) if size > 0 else None
