"""The login limit: Flask-Limiter on Redis, counting every password check before it runs.

Two limits apply to each login attempt (`POST /login`):
- per account and client address together (LOGIN_LIMIT_PER_ACCOUNT), so that a stranger
  elsewhere cannot lock a customer out by guessing;
- per client address alone (LOGIN_LIMIT_PER_ADDRESS), a slower ceiling across accounts.

Each attempt is counted by one atomic Redis increment that also answers whether the count is
still within the limit, so parallel attempts cannot overtake it. A successful login clears its
account-and-address count. With Redis down, each process counts in its own memory until Redis
answers again (Flask-Limiter's fallback, with one warning): logins keep working.
"""

import hashlib
import logging

import redis
from flask import Flask, current_app, request
from flask_limiter import Limit, Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from app.models import User

log = logging.getLogger(__name__)

LOGIN_ENDPOINT = "auth.login"
ACCOUNT_KEY = "account"


def submitted_email() -> str:
    """The form's email as the login looks it up; a body too large to read counts as none."""
    try:
        return User.normalise_email(request.form.get("email", ""))
    except HTTPException:
        return ""


def account_and_address() -> str:
    email = hashlib.sha256(submitted_email().encode(errors="replace")).hexdigest()[:32]
    return f"{ACCOUNT_KEY}:{email}:{get_remote_address()}"


def setting(name: str):
    return lambda: current_app.config[name]


def init_app(app: Flask) -> None:
    """One limiter per app, stored in `app.extensions`; only the login form is limited."""
    timeout = app.config["REDIS_SOCKET_TIMEOUT"]
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=[
            Limit(setting("LOGIN_LIMIT_PER_ACCOUNT"), key_function=account_and_address),
            Limit(setting("LOGIN_LIMIT_PER_ADDRESS")),
        ],
        storage_uri=app.config["REDIS_URL"],
        storage_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        key_prefix="login",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        headers_enabled=True,
    )
    limiter.request_filter(lambda: not (request.endpoint == LOGIN_ENDPOINT and is_post()))
    app.extensions["login_limiter"] = limiter


def is_post() -> bool:
    return request.method == "POST"


def forget_failed_attempts() -> None:
    """After a successful login, its account-and-address count starts again from zero."""
    limiter = current_app.extensions["login_limiter"]
    for limit in limiter.current_limits:
        if any(str(arg).startswith(f"{ACCOUNT_KEY}:") for arg in limit.request_args):
            try:
                limiter.limiter.clear(limit.limit, *limit.request_args)
            except redis.RedisError as error:
                log.warning("login limit not cleared (Redis): %s", error)
