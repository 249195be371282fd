"""Bounded waits on Postgres.

A server that is slow gets its statements cancelled by itself (`statement_timeout`). A server
that says nothing at all (stalled, or a network that drops everything) is another matter:
libpq waits on the socket for as long as it takes, and the kernel keeps answering TCP for a
stalled server, so keepalives see nothing wrong. So the app waits on the socket itself: a
psycopg2 wait callback polls with a deadline, and when it passes, raises an error that psycopg2
answers by closing the connection and SQLAlchemy by discarding it from the pool. Connections
made elsewhere (migrations' own tooling, tests) carry no deadline and wait as before.

The deadline measures the server's silence, not the process's: each wait for the socket has
its own, and a wait that ends without news looks at the socket once more, straight from the
kernel, before it gives up. In a gevent process a wait can end late because the event loop
was busy elsewhere; a server that answered meanwhile is then found to have answered.

The pool: DATABASE_POOL_SIZE connections kept, DATABASE_POOL_OVERFLOW more at busy times, and
a request that finds them all taken waits DATABASE_POOL_TIMEOUT_SECONDS for one (to the
fraction: SQLAlchemy reads a configured pool timeout as whole seconds, so the pool class
carries it), then is answered "busy" (app.errors), not "down".

Round trips: a request that only reads (GET and HEAD, which never write) runs its statements
without a transaction, so it sends no BEGIN and no ROLLBACK; and a pooled connection is
checked with a `SELECT 1` only when it has been idle for DATABASE_PING_AFTER_IDLE_SECONDS (a
connection lost while idle is replaced before use; one used a moment ago is not asked). An
unchanged table refresh costs one round trip: the query that loads the login and its user.
"""

import select
import time

import psycopg2
from flask import has_request_context, request
from psycopg2 import extensions
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import QueuePool

from app.extensions import db

SLACK_SECONDS = 0.5
READING_METHODS = ("GET", "HEAD")  # how much longer than the statement timeout the client waits


class Deadlines:
    """The seconds a connection may wait for a server that says nothing (None: for ever)."""

    connect_seconds: float | None = None
    answer_seconds: float | None = None


def connection_class(connect_seconds: float, statement_seconds: float) -> type:
    """A psycopg2 connection class that carries this app's deadlines."""
    answer = statement_seconds + SLACK_SECONDS if statement_seconds > 0 else None
    return type(
        "DeadlineConnection",
        (extensions.connection, Deadlines),
        {"connect_seconds": connect_seconds or None, "answer_seconds": answer},
    )


def pool_class(timeout: float, ping_after: float) -> type[QueuePool]:
    """A QueuePool whose checkout waits exactly `timeout` seconds, and whose connections are
    made ready for each request (`checked_out`, `checked_in`)."""

    def init(self, creator, **options) -> None:
        QueuePool.__init__(self, creator, **{**options, "timeout": timeout})

    pool = type("BoundedWaitPool", (QueuePool,), {"__init__": init})
    event.listen(pool, "checkout", lambda conn, record, _: checked_out(conn, record, ping_after))
    event.listen(pool, "checkin", checked_in)
    return pool


def checked_out(conn, record, ping_after: float) -> None:
    """A connection idle for longer than `ping_after` is asked whether it still works (a
    raised DisconnectionError makes the pool take another); one used a moment ago is not, so a
    busy process pays no extra round trip. A request that only reads (GET, HEAD) reads without
    a transaction: no BEGIN before its first query, no ROLLBACK after its last."""
    last_used = record.info.get("checked_in")  # None: a new connection
    if last_used is not None and time.monotonic() - last_used > ping_after:
        ping(conn)
    conn.autocommit = has_request_context() and request.method in READING_METHODS


def checked_in(conn, record) -> None:
    record.info["checked_in"] = time.monotonic()


def ping(conn) -> None:
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
    except psycopg2.Error as error:
        raise DisconnectionError(str(error)) from error


def engine_options(config) -> dict:
    """SQLAlchemy engine options: a checked pool with a bounded checkout, and connections that
    bound every wait (see the module's docstring)."""
    statement = float(config["DATABASE_STATEMENT_TIMEOUT_SECONDS"])
    connect = float(config["DATABASE_CONNECT_TIMEOUT_SECONDS"])
    connect_args = {
        "connect_timeout": max(2, round(connect)),  # libpq's own, when no callback is set
        "connection_factory": connection_class(connect, statement),
    }
    if statement > 0:
        connect_args["options"] = f"-c statement_timeout={int(statement * 1000)}"
    pool = pool_class(
        float(config["DATABASE_POOL_TIMEOUT_SECONDS"]),
        float(config["DATABASE_PING_AFTER_IDLE_SECONDS"]),
    )
    return {
        "poolclass": pool,
        "pool_size": int(config["DATABASE_POOL_SIZE"]),
        "max_overflow": int(config["DATABASE_POOL_OVERFLOW"]),
        "connect_args": connect_args,
    }


def wait_with_deadline(conn) -> None:
    """psycopg2's wait callback: like `psycopg2.extras.wait_select`, with a deadline on each
    wait for the server."""
    connecting = conn.status == extensions.STATUS_SETUP
    seconds = getattr(conn, "connect_seconds" if connecting else "answer_seconds", None)
    while (state := conn.poll()) != extensions.POLL_OK:
        fd = conn.fileno()
        if not wait_for_socket(fd, state, seconds) and not ready_now(fd, state):
            # SQLAlchemy reads this wording as a lost connection and discards it.
            raise psycopg2.OperationalError(
                f"could not receive data from server: no answer within {seconds:g} s"
            )


def wait_for_socket(fd: int, state: int, seconds: float | None) -> bool:
    """Wait (cooperatively under gevent) until the socket is ready or `seconds` pass."""
    poller = select.poll()
    poller.register(fd, wanted_event(state))
    return bool(poller.poll(None if seconds is None else max(1, int(seconds * 1000))))


def ready_now(fd: int, state: int) -> bool:
    """Whether the socket is ready at this instant, asked of the kernel itself (a cooperative
    poll whose timer fired in the same turn as the data may have reported nothing)."""
    poller = kernel_poll()()
    poller.register(fd, wanted_event(state))
    return bool(poller.poll(0))


def wanted_event(state: int) -> int:
    return select.POLLIN if state == extensions.POLL_READ else select.POLLOUT


def kernel_poll():
    """`select.poll` as the standard library made it, even where gevent has patched it."""
    try:
        from gevent import monkey
    except ImportError:
        return select.poll
    return monkey.get_original("select", "poll")


def give_back_connection() -> None:
    """End this request's read-only transaction, so that its pooled connection serves other
    requests while this one waits on something slow (a password check). Objects loaded so far
    reload on their next use. A session with unsaved changes keeps its connection."""
    session = db.session
    if not (session.new or session.dirty or session.deleted):
        session.commit()


def init_app(app) -> None:
    """Use the bounded waits in this process (the callback is process-wide)."""
    if extensions.get_wait_callback() is not wait_with_deadline:
        extensions.set_wait_callback(wait_with_deadline)
