"""The login limit holds under parallel attempts, limits per account and address so that a
stranger cannot lock a customer out, trusts forwarded addresses only through known proxies,
and lets logins through (counted in memory) while Redis is down."""

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from limits import parse
from werkzeug.serving import make_server

from app.models import User
from tests.support.processes import closed_port

PARALLEL_ATTEMPTS = 100


class PasswordChecks:
    """Counts the password checks that actually run, across the server's threads."""

    def __init__(self, monkeypatch):
        self.count, self.lock = 0, threading.Lock()
        check = User.check_password

        def counted(user, password):
            with self.lock:
                self.count += 1
            return check(user, password)

        monkeypatch.setattr(User, "check_password", counted)


@pytest.fixture
def password_checks(monkeypatch):
    return PasswordChecks(monkeypatch)


@pytest.fixture
def served(app):
    """The app over real HTTP, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def attempt_in_parallel(url: str, passwords: list[str]) -> Counter:
    """POST each password to the login at the same moment, each from its own connection."""
    start = threading.Barrier(len(passwords))

    def attempt(password: str) -> int:
        session = requests.Session()
        start.wait(timeout=30)
        data = {"email": "test@gmail.com", "password": password}
        return session.post(
            f"{url}/login", data=data, allow_redirects=False, timeout=60
        ).status_code

    with ThreadPoolExecutor(len(passwords)) as pool:
        return Counter(pool.map(attempt, passwords))


def test_parallel_wrong_passwords_run_at_most_the_limit_of_checks(
    app, user, served, password_checks
):
    limit = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount
    statuses = attempt_in_parallel(served, [f"wrong-{n}" for n in range(PARALLEL_ATTEMPTS)])
    print(f"\n{PARALLEL_ATTEMPTS} parallel attempts: {password_checks.count} password checks ran")
    assert password_checks.count <= limit
    assert statuses == {401: password_checks.count, 429: PARALLEL_ATTEMPTS - password_checks.count}
    assert attempt_in_parallel(served, ["qwe123"]) == {429: 1}


def login_from(client, address: str, password: str, email: str = "test@gmail.com", **kwargs):
    data = {"email": email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address}, **kwargs)


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(app, user):
    stranger, owner = app.test_client(), app.test_client()
    limit = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount
    for _ in range(limit):
        assert login_from(stranger, "203.0.113.9", "guess").status_code == 401
    assert login_from(stranger, "203.0.113.9", "qwe123").status_code == 429
    assert login_from(owner, "198.51.100.7", "qwe123").status_code == 302


def test_one_address_has_a_ceiling_across_accounts(make_app, factory):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="4 per hour")
    factory.user(email="someone@example.com", password="right-password")
    client, neighbour = app.test_client(), app.test_client()
    for number in range(4):
        response = login_from(client, "192.0.2.1", "nope", email=f"guess{number}@example.com")
        assert response.status_code == 401
    refused = login_from(client, "192.0.2.1", "right-password", email="someone@example.com")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    allowed = login_from(neighbour, "192.0.2.2", "right-password", email="someone@example.com")
    assert allowed.status_code == 302


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, user):
    client = app.test_client()
    limit = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount
    for number in range(limit):
        forged = {"X-Forwarded-For": f"10.0.0.{number}"}
        assert client.post("/login", data={"email": user.email}, headers=forged).status_code < 500
    forged = {"X-Forwarded-For": "10.9.9.9"}
    response = client.post(
        "/login", data={"email": user.email, "password": "qwe123"}, headers=forged
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_count(make_app, user):
    app = make_app(PROXY_COUNT=1)
    client = app.test_client()
    limit = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount
    through = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(limit + 1):
        headers = {"X-Forwarded-For": "203.0.113.9"}
        data = {"email": user.email, "password": "guess"}
        client.post("/login", data=data, headers=headers, environ_base=through)
    headers = {"X-Forwarded-For": "forged, 198.51.100.7", "X-Forwarded-Proto": "https"}
    data = {"email": user.email, "password": "qwe123"}
    response = client.post("/login", data=data, headers=headers, environ_base=through)
    assert response.status_code == 302


def test_with_redis_down_logins_still_work_and_say_so_once(make_app, user, caplog):
    down = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    client = down.test_client()
    caplog.set_level(logging.WARNING)
    assert login_from(client, "192.0.2.5", "wrong").status_code == 401
    assert login_from(client, "192.0.2.5", "qwe123").status_code == 302
    warnings = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
    assert len(warnings) == 1


def test_with_redis_down_the_limit_still_counts_in_memory(make_app, user):
    down = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    client = down.test_client()
    limit = parse(down.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount
    for _ in range(limit):
        assert login_from(client, "192.0.2.6", "wrong").status_code == 401
    assert login_from(client, "192.0.2.6", "qwe123").status_code == 429
