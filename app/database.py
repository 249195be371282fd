"""Bounded waits on Postgres.

A server that is slow gets its statements cancelled by itself (`statement_timeout`). A server
that says nothing at all (stalled, or a network that drops everything) is another matter:
libpq waits on the socket for as long as it takes, and the kernel keeps answering TCP for a
stalled server, so keepalives see nothing wrong. So the app waits on the socket itself: a
psycopg2 wait callback polls with a deadline, and when it passes, raises an error that psycopg2
answers by closing the connection and SQLAlchemy by discarding it from the pool. Connections
made elsewhere (migrations' own tooling, tests) carry no deadline and wait as before.
"""

import select
import time

import psycopg2
from psycopg2 import extensions

SLACK_SECONDS = 0.5  # how much longer than the statement timeout the client waits


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
    return {
        "pool_pre_ping": True,
        "pool_timeout": config["DATABASE_POOL_TIMEOUT_SECONDS"],
        "connect_args": connect_args,
    }


def wait_with_deadline(conn) -> None:
    """psycopg2's wait callback: like `psycopg2.extras.wait_select`, with a deadline."""
    connecting = conn.status == extensions.STATUS_SETUP
    seconds = getattr(conn, "connect_seconds" if connecting else "answer_seconds", None)
    deadline = None if seconds is None else time.monotonic() + seconds
    while (state := conn.poll()) != extensions.POLL_OK:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            # SQLAlchemy reads this wording as a lost connection and discards it.
            raise psycopg2.OperationalError(
                f"could not receive data from server: no answer within {seconds:g} s"
            )
        wait_for_socket(conn.fileno(), state, left)


def wait_for_socket(fd: int, state: int, seconds: float | None) -> None:
    poller = select.poll()
    poller.register(fd, select.POLLIN if state == extensions.POLL_READ else select.POLLOUT)
    poller.poll(None if seconds is None else max(1, int(seconds * 1000)))


def init_app(app) -> None:
    """Use the bounded waits in this process (the callback is process-wide)."""
    if extensions.get_wait_callback() is not wait_with_deadline:
        extensions.set_wait_callback(wait_with_deadline)
