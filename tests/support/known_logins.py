"""Apps that answer unchanged refreshes from memory (app/orders/quick_refresh.py), and waiting
until such an app's memory has heard of everything committed so far."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask

from app.orders import notices
from app.orders.quick_refresh import stop_listening
from tests.support.waiting import wait_until

MEMORY_SIZE = 100
PING_SECONDS = 0.05  # the listener's ping, often enough for the tests to wait on
RETRY_SECONDS = 0.1  # a lost listener connects again at once


@contextmanager
def remembering_apps(make_app: Callable, monkeypatch) -> Iterator[Callable]:
    """A builder of apps (as `make_app`) that answer from memory; their listeners stop when
    the block ends."""
    monkeypatch.setattr(notices, "PING_SECONDS", PING_SECONDS)
    monkeypatch.setattr(notices, "RETRY_SECONDS", RETRY_SECONDS)
    apps = []

    def build(**overrides) -> Flask:
        apps.append(make_app(**{"REFRESH_MEMORY_SIZE": MEMORY_SIZE, **overrides}))
        return apps[-1]

    try:
        yield build
    finally:
        for app in apps:
            stop_listening(app)


def remembers(app: Flask) -> bool:
    return app.extensions.get("known_logins") is not None


def caught_up(app: Flask) -> None:
    """Wait until the listener answered a ping sent after now: every notice of a transaction
    committed before this call has then been applied."""
    if not remembers(app) or "notice_listener" not in app.extensions:
        return  # nothing is trusted before the listener starts
    memory, now = app.extensions["known_logins"], time.monotonic()
    wait_until(lambda: memory.trusted_until - notices.TRUST_SECONDS > now, 5)
