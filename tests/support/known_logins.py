"""Apps that answer unchanged refreshes from memory (app/orders/quick_refresh.py), and waiting
until such an app's memory has heard of everything committed so far."""

import time

from flask import Flask

from app.orders import notices
from app.orders.quick_refresh import stop_listening
from tests.support.waiting import wait_until

MEMORY_SIZE = 100
PING_SECONDS = 0.05  # the listener's ping, often enough for the tests to wait on


def remembers(app: Flask) -> bool:
    return app.extensions.get("known_logins") is not None


def caught_up(app: Flask) -> None:
    """Wait until the listener answered a ping sent after now: every notice of a transaction
    committed before this call has then been applied."""
    if not remembers(app) or "notice_listener" not in app.extensions:
        return  # nothing is trusted before the listener starts
    memory, now = app.extensions["known_logins"], time.monotonic()
    wait_until(lambda: memory.trusted_until - notices.TRUST_SECONDS > now, 5)


def stop(app: Flask) -> None:
    stop_listening(app)
