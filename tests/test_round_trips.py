"""What a request costs Postgres: a request that only reads sends no BEGIN and no ROLLBACK, an
unchanged table refresh is one round trip, a pooled connection used a moment ago is not pinged,
one idle for longer is, and one that died while idle is replaced before the request uses it."""

import pytest
from flask import request
from psycopg2.extensions import STATUS_READY
from sqlalchemy import text

from app import database
from app.api.tokens import create_token
from app.extensions import db
from tests.support.auth import logged_in_client

TABLE = {"HX-Request": "true", "HX-Target": "orders-table"}


@pytest.fixture
def round_trips(monkeypatch) -> list[int]:
    """One entry per wait for Postgres's answer (every round trip waits once)."""
    waits: list[int] = []
    wait = database.wait_for_socket

    def counted(*args):
        waits.append(1)
        return wait(*args)

    monkeypatch.setattr(database, "wait_for_socket", counted)
    return waits


def refresh_tag(client) -> dict:
    table = client.get("/", headers=TABLE)
    return {**TABLE, "If-None-Match": table.headers["ETag"]}


def test_an_unchanged_refresh_is_one_round_trip(app, user, round_trips):
    client = logged_in_client(app)
    unchanged = refresh_tag(client)
    round_trips.clear()
    assert client.get("/", headers=unchanged).status_code == 304
    assert len(round_trips) == 1


def connection_states(app) -> list[tuple[str, bool, int]]:
    """Each request's method, and whether its connection was in autocommit and what psycopg2
    says of its transaction when the response was made."""
    states: list[tuple[str, bool, int]] = []

    @app.after_request
    def note(response):
        connection = db.session.connection().connection.dbapi_connection
        states.append((request.method, connection.autocommit, connection.status))
        return response

    return states


def test_a_page_that_only_reads_opens_no_transaction(make_app, user):
    app = make_app()
    states = connection_states(app)
    client = logged_in_client(app)
    states.clear()
    assert client.get("/").status_code == 200
    assert states == [("GET", True, STATUS_READY)]  # nothing begun, nothing to end


def test_a_form_post_keeps_its_transaction(make_app, user):
    app = make_app()
    states = connection_states(app)
    client = logged_in_client(app)
    assert [autocommit for method, autocommit, _ in states if method == "POST"] == [False]
    client.post("/language", data={"locale": "ru"})
    assert states[-1][:2] == ("POST", False)


def backend_of_the_pooled_connection(app) -> int:
    with app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    return pid


def test_a_connection_that_died_while_idle_is_replaced_before_use(make_app, user, raw_engine):
    app = make_app(DATABASE_POOL_SIZE=1, DATABASE_PING_AFTER_IDLE_SECONDS=0)
    client = logged_in_client(app)
    pid = backend_of_the_pooled_connection(app)
    with raw_engine.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    assert client.get("/").status_code == 200
    assert backend_of_the_pooled_connection(app) != pid


def test_a_connection_used_a_moment_ago_is_not_pinged(make_app, user, round_trips):
    app = make_app(DATABASE_PING_AFTER_IDLE_SECONDS=60)
    client = logged_in_client(app)
    unchanged = refresh_tag(client)
    round_trips.clear()
    client.get("/", headers=unchanged)
    assert len(round_trips) == 1
    idle_app = make_app(DATABASE_PING_AFTER_IDLE_SECONDS=0)
    idle_client = logged_in_client(idle_app)
    unchanged = refresh_tag(idle_client)
    round_trips.clear()
    idle_client.get("/", headers=unchanged)
    assert len(round_trips) == 2  # the ping, then the query


def test_an_unchanged_api_listing_is_one_round_trip(app, user, round_trips):
    _, token = create_token(user.id, "tests", "read")
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/orders", headers=headers).status_code == 200  # read and kept
    round_trips.clear()
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    assert len(round_trips) == 1  # the token, with its owner's orders version
