"""The login limit: Flask-Limiter on Redis, counting every password check before it runs.

Two limits apply to each login attempt (`POST /login`):
- per account and client address together (LOGIN_LIMIT_PER_ACCOUNT), so that a stranger
  elsewhere cannot lock a customer out by guessing;
- per client address alone (LOGIN_LIMIT_PER_ADDRESS), a slower ceiling across accounts.

Each attempt is counted by one atomic Redis increment that also answers whether the count is
still within the limit, so parallel attempts cannot overtake it. The account is the form's
email as the login looks it up; the form body rule (app/form_body.py) has run before, so
`request.form` holds the only fields the login reads, however the body was sent.

When Redis cannot count (down, refusing, too slow), the attempt is refused with a 503 before
any password is checked: there is no fallback that would let checks through uncounted. A
successful login clears its own account-and-address count, and no other.
"""

import hashlib
import logging
import math
import time

from flask import Flask, Response, current_app, make_response, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import StorageError

from app.errors import error_response
from app.extensions import redis_options
from app.models import User
from app.outage import one_line

log = logging.getLogger(__name__)

LOGIN_ENDPOINT = "auth.login"
UNCOUNTED = _l("Logging in is not possible for a moment. Please try again shortly.")


def account_key(email: str) -> str:
    """The account-and-address key of `email` (normalised as the login looks it up)."""
    digest = hashlib.sha256(User.normalise_email(email).encode()).hexdigest()[:32]
    return f"account:{digest}:{get_remote_address()}"


def submitted_account() -> str:
    return account_key(request.form.get("email", ""))


def setting(name: str):
    return lambda: current_app.config[name]


def init_app(app: Flask) -> None:
    """One limiter per app, stored in `app.extensions`; only the login form is limited.

    Its errors are not swallowed and it keeps no in-memory fallback, so a count Redis could not
    make refuses the attempt (`refuse_uncounted`). Its headers are off: adding them asks Redis
    again after the view, where a failure could no longer be answered cleanly; the 429 carries
    its own Retry-After (`refuse_over_limit`).
    """
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[
            Limit(setting("LOGIN_LIMIT_PER_ACCOUNT"), key_function=submitted_account),
            Limit(setting("LOGIN_LIMIT_PER_ADDRESS")),
        ],
        storage_uri=app.config["REDIS_URL"],
        storage_options={
            **redis_options(app.config["REDIS_SOCKET_TIMEOUT"]),
            "wrap_exceptions": True,
        },
        key_prefix="login",
        in_memory_fallback_enabled=False,
        swallow_errors=False,
        headers_enabled=False,
    )
    limiter.request_filter(lambda: not (request.endpoint == LOGIN_ENDPOINT and is_post()))
    app.extensions["login_limiter"] = limiter
    app.register_error_handler(StorageError, refuse_uncounted)
    app.register_error_handler(RateLimitExceeded, refuse_over_limit)


def is_post() -> bool:
    return request.method == "POST"


def with_retry_after(page, seconds: int) -> Response:
    response = make_response(page)
    response.headers["Retry-After"] = str(seconds)
    return response


def refuse_uncounted(error: StorageError) -> Response:
    """Redis could not count this attempt, so its password is not checked."""
    log.warning("login refused: the login limit cannot count (%s)", one_line(error.storage_error))
    seconds = current_app.config["LOGIN_UNCOUNTED_RETRY_SECONDS"]
    return with_retry_after(error_response(503, str(UNCOUNTED)), seconds)


def refuse_over_limit(error: RateLimitExceeded) -> Response:
    return with_retry_after(error_response(429), seconds_until_reset(error))


def seconds_until_reset(error: RateLimitExceeded) -> int:
    """Until the breached limit's window ends; its whole length if Redis cannot say now."""
    whole_window = int(error.limit.limit.get_expiry())
    breached = current_app.extensions["login_limiter"].current_limit
    if breached is None:
        return whole_window
    try:
        return max(1, math.ceil(breached.reset_at - time.time()))
    except StorageError:
        return whole_window


def forget_failed_attempts(user: User) -> None:
    """After `user` logged in, their account-and-address count starts again from zero."""
    limiter = current_app.extensions["login_limiter"]
    own = account_key(user.email)
    for limit in limiter.current_limits:
        if own in limit.request_args:
            try:
                limiter.limiter.clear(limit.limit, *limit.request_args)
            except StorageError as error:
                log.warning("login limit not cleared (%s)", one_line(error.storage_error))
