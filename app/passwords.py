"""Password hashing off the event loop, a few at a time.

A password hash (scrypt) costs about 170 ms of CPU, on purpose. In a gevent web process,
computed on the event loop, it would stop every other request of the process for that long:
forty logins at once held the loop for seconds, and other requests' waits on Postgres passed
their deadlines. So in such a process each hash runs on gevent's thread pool (hashlib lets go
of the GIL while it hashes) and the loop serves everyone else meanwhile.

At most PASSWORD_HASH_THREADS hashes run at once per process (more would only share the same
cores and finish later); up to PASSWORD_HASH_QUEUE more wait their turn, and one past that
gets `PasswordsBusy` at once, which the app answers with an honest "busy, try again" (503
with Retry-After). The bound is a number of requests, not a time, so how fast the machine is
decides only how long a login waits, never whether it gets through. Outside gevent
(threaded servers, commands, jobs) the hash runs on the calling thread, under the same bound
when an app is at hand.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

T = TypeVar("T")

TURNS = "password_turns"


class PasswordsBusy(Exception):
    """Too many password checks are waiting in this process; the caller should come back."""


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
        return off_the_loop(func, *args)


def off_the_loop(func: Callable[..., T], *args) -> T:
    if not event_loop_process():
        return func(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(func, args)


def event_loop_process() -> bool:
    """Whether gevent runs this process (gunicorn's gevent worker patched the threads)."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("threading")


def init_app(app: Flask) -> None:
    """The bound of this app's process. Under gevent, `threading` is patched before the app
    is made, so its semaphores make greenlets wait, not threads."""
    config = app.config
    turns = HashTurns(config["PASSWORD_HASH_THREADS"], config["PASSWORD_HASH_QUEUE"])
    app.extensions[TURNS] = turns
