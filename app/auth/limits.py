"""The login limit: the `limits` library on Redis counts every password check before it runs, per
account and address (a stranger cannot lock a customer out) and per address, atomically. Only a
login form's POST is counted (`count_attempt`, called first by the login view), so no other
request pays for the limit."""

import hashlib
import logging
import math
import time

from flask import Flask, Response, current_app, request
from flask_babel import lazy_gettext as _l
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.errors import error_response, with_retry_after
from app.extensions import redis_options
from app.models import User
from app.outage import one_line

log = logging.getLogger(__name__)
UNCOUNTED = _l("Logging in is not possible for a moment. Please try again shortly.")
KEY = "login_limiter"
PREFIX = "login"


class OverLimit(Exception):
    """A login attempt past `limit` for `key`: answered 429 with the seconds to wait."""

    def __init__(self, limit: RateLimitItem, key: str):
        super().__init__(f"{limit} for {key}")
        self.limit, self.key = limit, key


def address() -> str:
    """The client's address (as the trusted proxy reported it, with PROXY_COUNT set)."""
    return request.remote_addr or "127.0.0.1"


def account_key(email: str) -> str:
    digest = hashlib.sha256(User.normalise_email(email).encode()).hexdigest()[:32]
    return f"account:{digest}:{address()}"


def counted_limits() -> list[tuple[RateLimitItem, str]]:
    """Each limit with the key it counts this attempt under, the smallest limit first. After
    the form body rule (app/form_body.py): the form is what the login reads."""
    config = current_app.config
    account = [
        (item, account_key(request.form.get("email", "")))
        for item in parse_many(config["LOGIN_LIMIT_PER_ACCOUNT"])
    ]
    per_address = [
        (item, f"address:{address()}") for item in parse_many(config["LOGIN_LIMIT_PER_ADDRESS"])
    ]
    return sorted(account + per_address, key=lambda pair: pair[0].amount)


def count_attempt() -> None:
    """Count this attempt under every limit before the password is checked; OverLimit at the
    first limit it passes (the larger ones are then not counted), StorageError if Redis cannot
    count (the attempt is refused: app.errors answers it)."""
    limiter = current_app.extensions[KEY]
    for limit, key in counted_limits():
        if not limiter.hit(limit, PREFIX, key):
            raise OverLimit(limit, key)


def init_app(app: Flask) -> None:
    options = redis_options(app.config["REDIS_SOCKET_TIMEOUT"])
    storage = storage_from_string(app.config["REDIS_URL"], wrap_exceptions=True, **options)
    app.extensions[KEY] = FixedWindowRateLimiter(storage)
    app.register_error_handler(StorageError, refuse_uncounted)
    app.register_error_handler(OverLimit, refuse_over_limit)


def refuse_uncounted(error: StorageError) -> Response:
    log.warning("login refused: the login limit cannot count (%s)", one_line(error.storage_error))
    seconds = current_app.config["LOGIN_UNCOUNTED_RETRY_SECONDS"]
    return with_retry_after(error_response(503, str(UNCOUNTED)), seconds)


def refuse_over_limit(error: OverLimit) -> Response:
    return with_retry_after(error_response(429), seconds_until_reset(error))


def seconds_until_reset(error: OverLimit) -> int:
    """Until the breached limit's window ends; its whole length if Redis cannot say now."""
    whole_window = int(error.limit.get_expiry())
    try:
        stats = current_app.extensions[KEY].get_window_stats(error.limit, PREFIX, error.key)
    except StorageError:
        return whole_window
    # Never past the window itself (the store's reset time is rounded up to the second).
    return min(whole_window, max(1, math.ceil(stats.reset_time - time.time())))


def forget_failed_attempts(user: User) -> None:
    limiter, own = current_app.extensions[KEY], account_key(user.email)
    for limit in parse_many(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]):
        try:
            limiter.clear(limit, PREFIX, own)
        except StorageError as error:
            log.warning("login limit not cleared (%s)", one_line(error.storage_error))
