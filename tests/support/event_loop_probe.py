"""Probes run in a process patched by gevent, as gunicorn's gevent worker patches the web
process: `python -m tests.support.event_loop_probe <probe>` prints one JSON result.

- `connect-while-busy`: a greenlet holds the event loop in 0.4 s stretches while another
  connects to Postgres with a 0.3 s deadline on silence: the server answers every step in
  time, so the connection must succeed although each step is seen only 0.4 s later.
- `hash-off-the-loop`: a real password check, while a ticker greenlet counts its turns: a hash
  on the event loop would leave it none.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402 (after patching, as gunicorn's worker does)
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import psycopg2  # noqa: E402
from psycopg2 import extensions  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app.database import connection_class, wait_with_deadline  # noqa: E402

HOG_SECONDS = 0.4


def hog_the_loop(stretches: int) -> None:
    for _ in range(stretches):
        until = time.monotonic() + HOG_SECONDS
        while time.monotonic() < until:
            pass
        gevent.sleep(0)


def connect_while_busy() -> dict:
    extensions.set_wait_callback(wait_with_deadline)
    dsn = os.environ["PROBE_DSN"]

    def connect_and_ask() -> int:
        conn = psycopg2.connect(dsn, connection_factory=connection_class(0.3, 0.0))
        with conn.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            return cursor.fetchone()[0]

    hog = gevent.spawn(hog_the_loop, 12)
    asker = gevent.spawn(connect_and_ask)
    gevent.joinall([hog, asker])
    error = asker.exception
    return {"answer": asker.value, "error": str(error) if error else None}


def hash_off_the_loop() -> dict:
    from app import create_app
    from app.passwords import password_matches

    app = create_app({"APP_ENV": "test"})
    stored = generate_password_hash("a password")
    ticks = 0

    def ticker() -> None:
        nonlocal ticks
        while True:
            gevent.sleep(0.005)
            ticks += 1

    counting = gevent.spawn(ticker)
    gevent.sleep(0.02)
    with app.app_context():
        before = ticks
        matched = password_matches(stored, "a password")
        during = ticks - before
    counting.kill()
    return {"matched": matched, "ticks_during_hash": during}


PROBES = {"connect-while-busy": connect_while_busy, "hash-off-the-loop": hash_off_the_loop}

if __name__ == "__main__":
    print(json.dumps(PROBES[sys.argv[1]]()))
