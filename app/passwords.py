"""Password hashing (170 ms of CPU on purpose) off a gevent process's event loop, where it would
stall every other request, and a few at a time: past a queue of them, `PasswordsBusy` (a 503)."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

T = TypeVar("T")
TURNS = "password_turns"


class PasswordsBusy(Exception):
    """Too many password checks are waiting in this process."""


class HashTurns:
    """At most `running` hashes at once, and at most `waiting` more queued for their turn."""

    def __init__(self, running: int, waiting: int):
        self.running = threading.BoundedSemaphore(running)
        self.room = threading.BoundedSemaphore(running + waiting)

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self.room.acquire(blocking=False):
            raise PasswordsBusy
        try:
            with self.running:
                yield
        finally:
            self.room.release()


def hash_password(password: str) -> str:
    return bounded(generate_password_hash, password)


def password_matches(password_hash: str, password: str) -> bool:
    return bounded(check_password_hash, password_hash, password)


def bounded(func: Callable[..., T], *args) -> T:
    """`func(*args)` off the event loop, within this process's bound of hashes at once."""
    if not has_app_context() or TURNS not in current_app.extensions:
        return func(*args)
    with current_app.extensions[TURNS].turn():
        try:
            import gevent
            from gevent import monkey
        except ImportError:
            return func(*args)
        if not monkey.is_module_patched("threading"):  # not gunicorn's gevent worker
            return func(*args)
        return gevent.get_hub().threadpool.apply(func, args)


def init_app(app: Flask) -> None:
    """Under gevent, `threading` is patched before the app is made: greenlets wait, not threads."""
    turns = HashTurns(app.config["PASSWORD_HASH_THREADS"], app.config["PASSWORD_HASH_QUEUE"])
    app.extensions[TURNS] = turns
