"""Error pages in the product's style, and in-place messages for htmx requests."""

import logging

from flask import Flask, Response, g, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from app.extensions import db, login_manager
from app.flashes import Message, hold_messages
from app.htmx import wants_fragment
from app.passwords import PasswordsBusy
from app.problems import problem_response
from app.urls import is_api_request

log = logging.getLogger(__name__)
# A commit may have reached the database before it stopped answering: no promise either way.
DATABASE_DOWN = _l(
    "The database is not answering. What you just did may not have been saved; "
    "try again in a moment."
)

# The pool stayed full, or too many password checks queued: the database is fine.
BUSY = _l("We are very busy right now. Please try again in a few seconds.")
TITLES = {
    400: _l("Bad request"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Not possible right now"),
    413: _l("Too large"),
    414: _l("Address too long"),
    415: _l("Unsupported format"),
    422: _l("Check your input"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}
MESSAGES = {
    400: _l("The request could not be understood."),
    404: _l("There is nothing here. The link may be old, or the item may not be yours."),
    405: _l("That action is not available here."),
    413: _l("What you sent is too large."),
    414: _l("The address is too long to read. Check the link, or search for something shorter."),
    415: _l("What you sent is not in a format this page takes."),
    422: _l("Some of what you sent cannot be used. Check it and try again."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("An unexpected error happened on our side. It has been logged."),
    503: _l("A service we depend on is not answering. Please try again in a minute."),
}


def error_response(code: int, message: str | None = None):
    if is_api_request():
        return problem_response(code, detail=message)
    title = TITLES.get(code) or _("Error")
    message = message or MESSAGES.get(code) or title
    if wants_fragment():
        html = render_template("_flash_message.html", message=Message("error", message))
        return html, code, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    return render_template("errors/error.html", code=code, title=title, message=message), code


def with_retry_after(page, seconds: int) -> Response:
    response = make_response(page)
    response.headers["Retry-After"] = str(seconds)
    return response


def handle_http_error(error: HTTPException):
    """Shows what the app said about a refusal, but not Werkzeug's stock English text."""
    code = error.code or 500
    own = error.description if error.description != type(error).description else None
    return error_response(code, own if code in (400, 409, 415, 422) else None)


def handle_csrf_error(error: CSRFError):
    return error_response(400, _("Your form expired or was sent from elsewhere. Reload the page."))


def handle_database_down(error: OperationalError | InterfaceError):
    log.error("database unavailable: %s", getattr(error, "orig", None) or error)
    db.session.rollback()
    g._login_user = login_manager.anonymous_user()  # the page's header cannot look anyone up
    hold_messages()
    return error_response(503, DATABASE_DOWN)


def handle_busy(error: PoolTimeout | PasswordsBusy):
    """Every pooled connection stayed taken, or password checks queued past their wait."""
    log.warning("busy: %s", error or type(error).__name__)
    db.session.rollback()
    if isinstance(error, PoolTimeout):  # the page's header would wait for the pool again
        g._login_user = login_manager.anonymous_user()
    hold_messages()
    return with_retry_after(error_response(503, BUSY), 5)


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    db.session.rollback()
    return error_response(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    for database_error in (OperationalError, InterfaceError):
        app.register_error_handler(database_error, handle_database_down)
    for busy in (PoolTimeout, PasswordsBusy):
        app.register_error_handler(busy, handle_busy)
    app.register_error_handler(Exception, handle_unexpected)
