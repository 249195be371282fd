"""Unchanged table refreshes answered from the web process's memory (app/orders/quick_refresh.py):
without the database for a known login, never for a login that ended, another browser's copy
of the cookie or a changed table, and never while the process's listener cannot vouch for what
it knows (Postgres refused, cut or silent)."""

import contextlib
import time

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import OrderStatus, User
from app.orders import notices
from app.orders.known_logins import KnownLogins, Login, UserFacts
from app.orders.transitions import transition
from tests.chaos.proxy import FaultProxy
from tests.support.auth import logged_in_client
from tests.support.known_logins import caught_up, remembering_apps
from tests.support.waiting import wait_until
from tests.test_dashboard import seed_orders
from tests.test_dashboard_refresh import TABLE, statuses


@pytest.fixture
def remembering(make_app, monkeypatch):
    with remembering_apps(make_app, monkeypatch) as build:
        yield build


@pytest.fixture
def memory_app(remembering):
    app = remembering()
    with app.app_context():
        yield app


def memory(app):
    return app.extensions["known_logins"]


@contextlib.contextmanager
def database_use(app):
    """Every statement the app runs on its database, meanwhile (the listener's pings aside)."""
    with app.app_context():
        seen, pool = [], db.engine.pool

    def statement(conn, _cursor, sql, *_args):
        if conn.engine.pool is pool:
            seen.append(sql)

    event.listen(Engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", statement)


def refresh(client, tag=None, **headers):
    caught_up(client.application)
    return client.get("/", headers={**TABLE, **({"If-None-Match": tag} if tag else {}), **headers})


def known(client) -> str:
    """Refresh until the process knows this client's login; the table's tag."""
    app = client.application
    refresh(client)  # the process's first dashboard request starts its listener
    wait_until(memory(app).trusted, 5)
    tag = refresh(client).headers["ETag"]  # the usual way, which teaches the memory
    assert memory(app).logins, "the login was not remembered"
    return tag


def test_a_known_login_is_answered_without_the_database(memory_app, user):
    client = logged_in_client(memory_app)
    seed_orders(user, 3)
    tag = known(client)
    with database_use(memory_app) as used:
        again = refresh(client, tag)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert used == []


def test_the_answer_from_memory_matches_the_usual_one(make_app, memory_app, user):
    """Same tag from memory as from the database, for each page, filter and language."""
    seed_orders(user, 25)
    remembering, asking = logged_in_client(memory_app), logged_in_client(make_app())
    known(remembering)
    for url in ("/", "/?page=2", "/?status=done", "/?q=abc"):
        usual = asking.get(url, headers=TABLE).headers["ETag"]
        caught_up(memory_app)
        remembering.get(url, headers=TABLE)  # teaches this page's tag
        with database_use(memory_app) as used:
            quick = remembering.get(url, headers={**TABLE, "If-None-Match": usual})
        assert quick.status_code == 304 and used == [], url


def test_a_known_login_draws_its_dashboard_without_the_database(memory_app, user):
    client = logged_in_client(memory_app)
    seed_orders(user, 3)
    known(client)  # the table is kept, too
    with database_use(memory_app) as used:
        page = client.get("/")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    assert used == []


def test_every_other_page_loads_the_user_from_the_database(memory_app, user):
    client = logged_in_client(memory_app)
    known(client)
    for url in ("/account", "/orders/new", "/catalog"):
        with database_use(memory_app) as used:
            assert client.get(url).status_code == 200, url
        assert any("user_sessions" in sql for sql in used), url


def test_a_new_operator_sees_the_console_link_at_the_next_page(memory_app, user):
    client = logged_in_client(memory_app)
    known(client)
    assert "/ops" not in client.get("/").get_data(as_text=True)
    db.session.execute(update(User).where(User.id == user.id).values(is_operator=True))
    db.session.commit()
    caught_up(memory_app)
    assert 'href="/ops' in client.get("/").get_data(as_text=True)


def test_a_change_to_the_users_orders_is_seen_at_the_next_refresh(memory_app, user):
    client = logged_in_client(memory_app)
    [order_id] = seed_orders(user, 1, OrderStatus.IN_PROCESSING)
    tag = known(client)
    transition(order_id, OrderStatus.IN_PROCESSING, OrderStatus.DONE, "The provider is done")
    db.session.commit()

    changed = refresh(client, tag)
    assert changed.status_code == 200 and statuses(changed.get_data(as_text=True)) == ["done"]
    with database_use(memory_app) as used:
        assert refresh(client, changed.headers["ETag"]).status_code == 304
    assert used == [], "the new version was not remembered"


def test_a_language_chosen_on_another_device_is_seen_at_the_next_refresh(memory_app, user):
    client = logged_in_client(memory_app)
    seed_orders(user, 1)
    tag = known(client)
    db.session.execute(update(User).where(User.id == user.id).values(locale="ru"))
    db.session.commit()  # as the switcher does on another device (no cookie here)
    russian = refresh(client, tag)
    assert russian.status_code == 200 and "Удалить" in russian.get_data(as_text=True)


def test_a_login_that_ended_is_never_answered(memory_app, user):
    client = logged_in_client(memory_app)
    seed_orders(user, 1)
    tag = known(client)
    cookie = client.get_cookie("session").value
    client.post("/logout")

    thief = memory_app.test_client()
    thief.set_cookie("session", cookie)
    answer = refresh(thief, tag)
    assert answer.status_code in (302, 401) and not memory(memory_app).logins


def test_ending_the_other_logins_reaches_the_memory(memory_app, user):
    laptop, phone = logged_in_client(memory_app), logged_in_client(memory_app)
    seed_orders(user, 1)
    tag = known(phone)
    assert laptop.post("/account/sessions/end-others").status_code in (302, 303)
    assert refresh(phone, tag).status_code in (302, 401)


def test_a_copy_of_the_cookie_in_another_browser_goes_the_usual_way(memory_app, user):
    client = logged_in_client(memory_app)
    seed_orders(user, 1)
    tag = known(client)
    other = memory_app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    with database_use(memory_app) as used:
        answer = refresh(other, tag, **{"User-Agent": "another browser"})
    assert answer.status_code == 304 and used, "answered from memory for another browser"


def test_a_lost_listener_forgets_then_listens_again(memory_app, user):
    client = logged_in_client(memory_app)
    seed_orders(user, 1)
    tag = known(client)
    db.session.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = :name"
        ),
        {"name": notices.APPLICATION_NAME},
    )
    db.session.commit()
    wait_until(lambda: not memory(memory_app).logins, 5)

    with database_use(memory_app) as used:
        assert refresh(client, tag).status_code == 304
    assert used, "answered from a memory that may have missed notices"
    wait_until(memory(memory_app).trusted, 5)  # listening again
    caught_up(memory_app)
    refresh(client, tag)
    with database_use(memory_app) as used:
        assert refresh(client, tag).status_code == 304
    assert used == []


def test_a_silent_database_ends_the_trust_within_seconds(
    remembering, user, base_settings, monkeypatch
):
    monkeypatch.setattr(notices, "TRUST_SECONDS", 1.0)
    url = base_settings["SQLALCHEMY_DATABASE_URI"]
    proxy = FaultProxy("127.0.0.1", 5432, "postgres-proxy").start()
    try:
        app = remembering(SQLALCHEMY_DATABASE_URI=proxy.url(url))
        with app.app_context():
            client = logged_in_client(app)
            known(client)
            proxy.freeze()
            frozen = time.monotonic()
            wait_until(lambda: not memory(app).trusted(), notices.TRUST_SECONDS + 2)
            assert time.monotonic() - frozen <= notices.TRUST_SECONDS + 1
            assert memory(app).lookup("any") is None
            proxy.restore()
            wait_until(memory(app).trusted, 10)
    finally:
        proxy.restore()
        proxy.stop()


def facts(orders_version: int, locale: str | None = None) -> UserFacts:
    return UserFacts("someone@example.com", False, orders_version, locale)


def fresh_memory() -> KnownLogins:
    memory = KnownLogins(size=2)
    memory.vouch(time.monotonic() + 60)
    return memory


def test_a_fact_read_before_a_notice_is_not_kept():
    memory, login = fresh_memory(), Login(1, time.time() + 60)
    snapshot = memory.snapshot()
    memory.user_changed(1)  # the change's notice arrives while the request reads the user
    memory.remember("login", login, facts(3), snapshot)
    assert memory.lookup("login") is None
    memory.remember("login", login, facts(4), memory.snapshot())
    assert memory.lookup("login") == (login, facts(4))


def test_nothing_is_known_without_a_listener_vouching():
    memory, login = fresh_memory(), Login(1, time.time() + 60)
    memory.remember("login", login, facts(1, "ru"), memory.snapshot())
    memory.vouch(time.monotonic() - 1)
    assert memory.lookup("login") is None and memory.snapshot() is None


def test_an_expired_login_is_not_known():
    memory = fresh_memory()
    memory.remember("login", Login(1, time.time() - 1), facts(1), memory.snapshot())
    assert memory.lookup("login") is None


def test_a_full_memory_starts_again_empty():
    memory = fresh_memory()
    for n in range(3):
        login = Login(n, time.time() + 60)
        memory.remember(f"login-{n}", login, facts(0), memory.snapshot())
    assert list(memory.logins) == ["login-2"]
