"""The check that ends a live stream with its login: the sweep against real Postgres (ended,
expired and live logins; Postgres cut; its cost with thousands of logins), the announcement
that ends a stream before any sweep, and a stream that ends at its login's expiry."""

import logging
import math
import statistics
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app.auth.sessions import digest, end_session, start_session
from app.extensions import db, get_redis
from app.orders.live.hub import Listener
from app.orders.live.logins import LoginSweep, StreamLogin, live_among
from app.orders.live.slots import Slot
from tests.chaos.proxy import FaultProxy
from tests.support.auth import logged_in_client
from tests.support.waiting import wait_until
from tests.test_live import read_events

DAY = 24 * 3600


def stream_of(user_id: int, token: str, expires_in: float = DAY) -> Listener:
    """A stream as the hub holds it, under the login of `token`."""
    login = StreamLogin(digest(token), time.time() + expires_in)
    return Listener(user_id, login, Slot(f"slots-of-{user_id}", token, get_redis()))


@pytest.fixture
def statements():
    """Every statement run on any engine of this process, meanwhile."""
    seen: list[str] = []

    def count(conn, cursor, sql, *_args):
        seen.append(sql)

    event.listen(Engine, "before_cursor_execute", count)
    yield seen
    event.remove(Engine, "before_cursor_execute", count)


def test_the_sweep_ends_ended_and_expired_logins_and_keeps_the_live_ones(app, user, statements):
    live, ended, aged = (start_session(user) for _ in range(3))
    end_session(ended)
    db.session.execute(
        text(
            "UPDATE user_sessions SET created_at = now() - interval '15 days' WHERE token_hash = :h"
        ),
        {"h": digest(aged)},
    )
    db.session.commit()
    streams = [stream_of(user.id, token) for token in (live, ended, aged)]
    expiring = stream_of(user.id, live, expires_in=-1)  # the same login, past its end here
    streams.append(expiring)

    statements.clear()
    LoginSweep(app).sweep(streams)
    assert [stream.login_ended for stream in streams] == [False, True, True, True]
    assert len(statements) == 1


def test_a_sweep_without_postgres_keeps_the_streams_logs_once_and_asks_again(
    make_app, app, user, caplog
):
    proxy = FaultProxy.in_front_of(app.config["SQLALCHEMY_DATABASE_URI"], "postgres-proxy")
    proxied = make_app(SQLALCHEMY_DATABASE_URI=proxy.url(app.config["SQLALCHEMY_DATABASE_URI"]))
    live, gone = start_session(user), start_session(user)
    streams = [stream_of(user.id, live), stream_of(user.id, gone)]
    expired = stream_of(user.id, live, expires_in=-1)
    sweep = LoginSweep(proxied)
    try:
        proxy.cut()
        end_session(gone)
        with proxied.app_context(), caplog.at_level(logging.INFO, "app.orders.live.logins"):
            for _ in range(3):
                sweep.sweep([*streams, expired])
            assert expired.login_ended  # an expiry needs no question
            assert not any(stream.login_ended for stream in streams)
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage()

            proxy.restore()
            sweep.sweep(streams)
        assert [stream.login_ended for stream in streams] == [False, True]
        assert "is back after" in caplog.text
    finally:
        proxy.stop()


def insert_logins(user_id: int, count: int) -> list[str]:
    """`count` live logins of one user, written in one statement; their token digests."""
    rows = db.session.execute(
        text(
            "INSERT INTO user_sessions (user_id, token_hash) "
            "SELECT :user, encode(sha256(('login-' || i)::bytea), 'hex') "
            "FROM generate_series(1, :count) AS i RETURNING token_hash"
        ),
        {"user": user_id, "count": count},
    ).scalars()
    hashes = list(rows)
    db.session.commit()
    with db.engine.connect() as connection:  # as autovacuum would, after so many new rows
        connection.execute(text("ANALYZE user_sessions"))
    return hashes


@pytest.mark.parametrize("logins", [1500, 5000])
def test_a_sweep_asks_once_per_thousand_logins_and_costs_little(app, user, statements, logins):
    """1,500 is the most streams one process serves (LIVE_MAX_STREAMS), each its own login."""
    hashes = insert_logins(user.id, logins)
    gone = set(hashes[::50])
    db.session.execute(
        text("DELETE FROM user_sessions WHERE token_hash = ANY(:h)"), {"h": list(gone)}
    )
    db.session.commit()
    streams = [
        Listener(user.id, StreamLogin(h, time.time() + DAY), Slot("slots", h, get_redis()))
        for h in hashes
    ]
    sweep = LoginSweep(app)

    timings = []
    for _ in range(5):
        for stream in streams:
            stream.ended = stream.login_ended = False
        statements.clear()
        started = time.perf_counter()
        sweep.sweep(streams)
        timings.append(time.perf_counter() - started)
        assert len(statements) == math.ceil(logins / app.config["LIVE_LOGIN_CHECK_CHUNK"])
    assert {s.login.token_hash for s in streams if s.login_ended} == gone
    median = statistics.median(timings)
    print(f"\nsweep of {logins} streams' logins: {median * 1000:.1f} ms (median of 5)")
    assert median < app.config["LIVE_LOGIN_CHECK_SECONDS"] / 2
    assert live_among(hashes) == set(hashes) - gone


def test_an_announced_end_closes_a_stream_before_any_sweep(make_app, user):
    app = make_app(LIVE_LOGIN_CHECK_SECONDS=600)  # no sweep during this test
    laptop, phone = logged_in_client(app), logged_in_client(app)
    stream = laptop.get("/orders/events", buffered=False)
    wait_until(app.extensions["live_hub"].listening.is_set, seconds=30)

    started = time.monotonic()
    assert phone.post("/account/sessions/end-others").status_code == 303
    # No sweep runs in this test's 600 s, so only the announcement can end the stream.
    assert read_events(stream, 1, timeout=30) == ["event: login-ended\ndata: "]
    assert time.monotonic() - started < 2  # the README's promise


def test_a_stream_ends_when_its_login_expires(make_app, user):
    app = make_app(SESSION_MAX_AGE_SECONDS=3)
    client = logged_in_client(app)
    logged_in = time.time()
    stream = client.get("/orders/events", buffered=False)
    assert stream.status_code == 200

    assert read_events(stream, 1, timeout=30) == ["event: login-ended\ndata: "]
    ended_after = time.time() - logged_in
    # Not before it expired; then within the 2 s the README promises (a sweep every second).
    assert 3 - 0.5 <= ended_after < 3 + 2
