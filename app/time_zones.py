"""The reader's time zone: the one their browser reports (app.js keeps it in a cookie), else the
one their account remembers from an earlier visit, else UTC. Pages write every date and time in
it, so a page reads the same with and without JavaScript; a logged-in customer's account keeps
the browser's zone, so their pages without JavaScript (another device) use it too."""

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g, has_request_context, request
from flask_login import current_user

from app.extensions import db

COOKIE = "tz"
DEFAULT = "UTC"
LONGEST = 64  # users.time_zone's length


@lru_cache(maxsize=512)
def known(name: str | None) -> bool:
    """A zone of the IANA database, by its name ("Europe/Moscow")."""
    if not name or len(name) > LONGEST or not name.isascii() or name.startswith(("/", ".")):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def browsers_zone() -> str | None:
    reported = request.cookies.get(COOKIE)
    return reported if known(reported) else None


def reader_zone() -> str:
    """The zone this request's pages write times in."""
    if not has_request_context():
        return DEFAULT
    if "time_zone" not in g:
        saved = getattr(current_user, "time_zone", None) if current_user.is_authenticated else None
        g.time_zone = browsers_zone() or (saved if known(saved) else DEFAULT)
    return g.time_zone


def remember_browsers_zone() -> None:
    """A logged-in customer's account takes the zone their browser reported, once it changes."""
    if request.method != "GET" or request.endpoint == "static":
        return
    reported = browsers_zone()
    if reported and current_user.is_authenticated and current_user.time_zone != reported:
        current_user.account().time_zone = reported
        db.session.commit()


def init_app(app: Flask) -> None:
    app.before_request(remember_browsers_zone)
    app.add_template_global(reader_zone)
