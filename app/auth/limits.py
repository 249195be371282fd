"""The login limit: Flask-Limiter on Redis counts every password check before it runs, per
account and address (a stranger cannot lock a customer out) and per address, atomically."""

import hashlib
import logging
import math
import time

from flask import Flask, Response, current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limit, Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import StorageError

from app.errors import error_response, with_retry_after
from app.extensions import redis_options
from app.models import User
from app.outage import one_line

log = logging.getLogger(__name__)
UNCOUNTED = _l("Logging in is not possible for a moment. Please try again shortly.")


def account_key(email: str) -> str:
    digest = hashlib.sha256(User.normalise_email(email).encode()).hexdigest()[:32]
    return f"account:{digest}:{get_remote_address()}"


def submitted_account() -> str:
    # After the form body rule (app/form_body.py): the form is what the login reads.
    return account_key(request.form.get("email", ""))


def setting(name: str):
    return lambda: current_app.config[name]


def init_app(app: Flask) -> None:
    """Only the login form is limited; a count Redis could not make refuses the attempt. No
    headers: they would ask Redis again after the view, too late to answer a failure cleanly."""
    options = redis_options(app.config["REDIS_SOCKET_TIMEOUT"])
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[
            Limit(setting("LOGIN_LIMIT_PER_ACCOUNT"), key_function=submitted_account),
            Limit(setting("LOGIN_LIMIT_PER_ADDRESS")),
        ],
        storage_uri=app.config["REDIS_URL"],
        storage_options={**options, "wrap_exceptions": True},
        key_prefix="login",
        in_memory_fallback_enabled=False,
        swallow_errors=False,
        headers_enabled=False,
    )
    limiter.request_filter(
        lambda: not (request.endpoint == "auth.login" and request.method == "POST")
    )
    app.extensions["login_limiter"] = limiter
    app.register_error_handler(StorageError, refuse_uncounted)
    app.register_error_handler(RateLimitExceeded, refuse_over_limit)


def refuse_uncounted(error: StorageError) -> Response:
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
        # Never past the window itself (the store's reset time is rounded up to the second).
        return min(whole_window, max(1, math.ceil(breached.reset_at - time.time())))
    except StorageError:
        return whole_window


def forget_failed_attempts(user: User) -> None:
    limiter = current_app.extensions["login_limiter"]
    own = account_key(user.email)
    for limit in limiter.current_limits:
        if own in limit.request_args:
            try:
                limiter.limiter.clear(limit.limit, *limit.request_args)
            except StorageError as error:
                log.warning("login limit not cleared (%s)", one_line(error.storage_error))
