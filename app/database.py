"""Bounded waits on Postgres: a server that says nothing at all would keep libpq waiting for
ever, so a wait callback polls the socket with a deadline; the pool's wait is bounded too."""

import logging
import select
import time

import psycopg2
from flask import has_request_context, request
from psycopg2 import extensions
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from app.extensions import db
from app.outage import one_line

log = logging.getLogger(__name__)

SLACK_SECONDS = 0.5  # how much longer than the statement timeout the client waits


def connection_class(connect_seconds: float, statement_seconds: float) -> type:
    """A psycopg2 connection class that carries this app's deadlines (None: wait for ever)."""
    answer = statement_seconds + SLACK_SECONDS if statement_seconds > 0 else None
    deadlines = {"connect_seconds": connect_seconds or None, "answer_seconds": answer}
    return type("DeadlineConnection", (extensions.connection,), deadlines)


def pool_class(config) -> type[QueuePool]:
    """A QueuePool that waits DATABASE_POOL_TIMEOUT_SECONDS to the fraction, not whole seconds."""
    timeout = float(config["DATABASE_POOL_TIMEOUT_SECONDS"])
    ping_after = float(config["DATABASE_PING_AFTER_IDLE_SECONDS"])

    def init(self, creator, **options) -> None:
        QueuePool.__init__(self, creator, **{**options, "timeout": timeout})

    pool = type("BoundedWaitPool", (QueuePool,), {"__init__": init})
    event.listen(pool, "checkout", lambda conn, record, _: checked_out(conn, record, ping_after))
    event.listen(
        pool, "checkin", lambda conn, record: record.info.update(checked_in=time.monotonic())
    )
    return pool


def checked_out(conn, record, ping_after: float) -> None:
    """Ping a connection idle over `ping_after` (DisconnectionError: the pool takes another)."""
    last_used = record.info.get("checked_in")  # None: a new connection
    if last_used is not None and time.monotonic() - last_used > ping_after:
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
        except psycopg2.Error as error:
            raise DisconnectionError(str(error)) from error
    conn.autocommit = has_request_context() and request.method in (
        "GET",
        "HEAD",
    )  # no BEGIN to read


def engine_options(config) -> dict:
    statement = float(config["DATABASE_STATEMENT_TIMEOUT_SECONDS"])
    connect = float(config["DATABASE_CONNECT_TIMEOUT_SECONDS"])
    connect_args = {
        "connect_timeout": max(2, round(connect)),  # libpq's own, when no callback is set
        "connection_factory": connection_class(connect, statement),
    }
    if statement > 0 and int(config["DATABASE_STARTUP_OPTIONS"]):
        connect_args["options"] = f"-c statement_timeout={int(statement * 1000)}"
    return {
        "poolclass": pool_class(config),
        "pool_size": int(config["DATABASE_POOL_SIZE"]),
        "max_overflow": int(config["DATABASE_POOL_OVERFLOW"]),
        "connect_args": connect_args,
    }


def wait_with_deadline(conn) -> None:
    """psycopg2's wait callback: `psycopg2.extras.wait_select` with a deadline on each wait."""
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
    poller.register(fd, select.POLLIN if state == extensions.POLL_READ else select.POLLOUT)
    return bool(poller.poll(None if seconds is None else max(1, int(seconds * 1000))))


def ready_now(fd: int, state: int) -> bool:
    """Whether the socket is ready now, asked of the kernel past gevent's patch (a cooperative
    poll whose timer fired in the same turn as the data may have reported nothing)."""
    try:
        from gevent import monkey
    except ImportError:
        poller = select.poll()
    else:
        poller = monkey.get_original("select", "poll")()
    poller.register(fd, select.POLLIN if state == extensions.POLL_READ else select.POLLOUT)
    return bool(poller.poll(0))


def give_back_connection() -> None:
    """End this request's read-only transaction: its connection serves others meanwhile."""
    session = db.session
    if not (session.new or session.dirty or session.deleted):
        session.commit()


def end_session(_error: BaseException | None = None) -> None:
    """End the request's session (registered after Flask-SQLAlchemy's, so it runs first). A
    database that stops answering just then, its rollback giving up at the deadline, must not
    turn an answer already made into the web server's bare 500; the broken connection is
    discarded and the next request takes a fresh one."""
    try:
        db.session.remove()
    except (SQLAlchemyError, psycopg2.Error) as error:
        log.warning("the request's database session did not end cleanly: %s", one_line(error))
        db.session.registry.clear()


def init_app(app) -> None:
    """Use the bounded waits in this process (the callback is process-wide)."""
    extensions.set_wait_callback(wait_with_deadline)
