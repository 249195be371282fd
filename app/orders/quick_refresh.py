"""The dashboard of a known login, drawn without asking the database who is logged in; and its
unchanged table refresh answered `304 Not Modified` before any user is loaded.

The dashboard and its table refresh (every ORDERS_REFRESH_SECONDS in each open tab) are by far
the most common requests, and the refresh almost always finds nothing changed. When this
process knows the login (`known_logins`, kept current by Postgres's notices), it takes the user
from memory, without a round trip to the database, when all of these hold:

- the request is a GET of the dashboard (the page or its table; every other page, and every
  form, loads the user from the database as before);
- the signed session cookie names a login the process knows, and that login has not expired;
- the cookie belongs to this browser (Flask-Login's session identifier matches, as its session
  protection checks before loading a user).

An unchanged refresh is then answered 304 at once; the page and a changed table are drawn for
a `KnownUser` (the rendered table itself is usually kept, see table.py). Anything else goes the
usual way (the user loaded from the database), which teaches the process the login for the next
request. REFRESH_MEMORY_SIZE sets how many logins a process keeps; 0 keeps none.
"""

import threading

from flask import Flask, current_app, g, request, session
from flask_login import UserMixin, current_user

from app.auth.sessions import MAX_TOKEN_LENGTH, digest, load_session_user
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


class KnownUser(UserMixin):
    """The logged-in user as the process knows them: enough to draw the dashboard."""

    def __init__(self, token: str, login: Login, facts: UserFacts):
        self.id, self.session_token = login.user_id, token
        self.session_expires_at = login.expires_at
        self.email, self.is_operator = facts.email, facts.is_operator
        self.orders_version, self.locale = facts.orders_version, facts.locale

    def get_session_token(self) -> str:
        return self.session_token


def known_user() -> KnownUser | None:
    """The user of this request's login, from memory: only for a GET of the dashboard."""
    known_logins = memory()
    if known_logins is None or request.endpoint != DASHBOARD or request.method != "GET":
        return None
    token = session_token()
    if token is None or session.get("_id") != login_manager._session_identifier_generator():
        return None
    found = known_logins.lookup(digest(token))
    return None if found is None else KnownUser(token, *found)


def load_user(token):
    """Flask-Login's user loader: from memory where that is allowed, else from the database."""
    return known_user() or load_session_user(token)


def answer_from_memory():
    """The blueprint's first hook: a 304 for an unchanged table refresh of a known login."""
    known_logins = memory()
    if request.endpoint != DASHBOARD or known_logins is None:
        return None
    start_listening(current_app)
    if "_login_user" not in g:  # before the user is read from the database
        g.known_logins_snapshot = known_logins.snapshot()
    if not (wants_fragment("orders-table") and request.if_none_match):
        return None
    user = known_user()
    if user is None:
        return None
    args = parse_listing_args(request.args)
    tag = table_tag(args, user.id, user.orders_version, locale_for(user.locale))
    if not still_current(tag):
        return None
    g.known_user_id = user.id  # for the request's log line
    return not_modified(tag)


def remember_current_login() -> None:
    """After the usual way loaded the user: keep what draws their next dashboard."""
    known_logins = memory()
    snapshot = g.pop("known_logins_snapshot", None)
    if known_logins is None or snapshot is None or isinstance(current_user, KnownUser):
        return
    login = Login(current_user.id, current_user.session_expires_at)
    facts = UserFacts(
        current_user.email,
        current_user.is_operator,
        current_user.orders_version,
        current_user.locale,
    )
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
