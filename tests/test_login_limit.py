"""The login limit holds under parallel attempts, limits per account and address so that a
stranger cannot lock a customer out, counts one account however its email is written and its
form is encoded, trusts forwarded addresses only through known proxies, and refuses to check a
password it cannot count (a Redis outage: tests/test_login_limit_outage.py)."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from limits import parse
from werkzeug.serving import make_server

from tests.support.bodies import json_body, text_parts, urlencoded
from tests.support.password_checks import PasswordChecks
from tests.support.processes import closed_port

PARALLEL_ATTEMPTS = 100


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


ENCODINGS = {"form": urlencoded, "multipart": text_parts, "json": json_body}
SPELLINGS = ["test@gmail.com", " TEST@gmail.com ", "Test@Gmail.Com  "]


def attempt(client, encoding: str, email: str, password: str, address: str = "192.0.2.9"):
    body = ENCODINGS[encoding]({"email": email, "password": password})
    return client.post("/login", environ_base={"REMOTE_ADDR": address}, **body)


def account_limit(app) -> int:
    return parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount


def test_every_spelling_and_encoding_of_one_email_shares_its_count(app, user, password_checks):
    client, limit = app.test_client(), account_limit(app)
    statuses = Counter()
    for number in range(3 * limit):
        encoding = list(ENCODINGS)[number % 3]
        response = attempt(client, encoding, SPELLINGS[number // 3 % 3], f"wrong-{number}")
        statuses[encoding, response.status_code] += 1
        if response.status_code == 429:
            assert 0 < int(response.headers["Retry-After"]) <= 300
    assert password_checks.count == limit
    assert statuses[("json", 415)] == limit  # refused before it is counted or checked
    assert statuses[("form", 401)] + statuses[("multipart", 401)] == limit
    assert statuses[("form", 429)] + statuses[("multipart", 429)] == limit
    for encoding in ("form", "multipart"):
        assert attempt(client, encoding, " TEST@GMAIL.COM", "qwe123").status_code == 429
    assert password_checks.count == limit


def test_another_accounts_login_leaves_the_victims_count(app, user, factory, password_checks):
    factory.user(email="attacker@example.com", password="attacker-password")
    limit = account_limit(app)
    for number in range(limit):
        assert attempt(app.test_client(), "form", user.email, f"guess-{number}").status_code == 401
    for encoding in ENCODINGS:  # the attacker's own account, from the same address
        response = attempt(app.test_client(), encoding, "attacker@example.com", "attacker-password")
        assert response.status_code == (415 if encoding == "json" else 302)
    assert attempt(app.test_client(), "form", user.email, "guess").status_code == 429
    assert attempt(app.test_client(), "multipart", "", "").status_code == 422
    assert attempt(app.test_client(), "form", user.email, "qwe123").status_code == 429
    assert password_checks.count == limit + 2


def test_a_successful_login_clears_its_own_count(app, user, password_checks):
    limit = account_limit(app)
    for number in range(limit - 1):
        assert (
            attempt(app.test_client(), "multipart", user.email, f"no-{number}").status_code == 401
        )
    assert attempt(app.test_client(), "form", " Test@Gmail.com", "qwe123").status_code == 302
    for number in range(limit):
        assert attempt(app.test_client(), "form", user.email, f"no-{number}").status_code == 401
    assert attempt(app.test_client(), "form", user.email, "qwe123").status_code == 429
    assert password_checks.count == 2 * limit


def test_with_redis_refusing_no_password_is_checked(make_app, user, password_checks, caplog):
    down = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    client = down.test_client()
    for language, text in (("en", "Please try again shortly."), ("ru", "попробуйте ещё раз")):
        response = client.post(
            "/login",
            data={"email": user.email, "password": "qwe123"},
            headers={"Accept-Language": language},
        )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == str(down.config["LOGIN_UNCOUNTED_RETRY_SECONDS"])
        assert text in response.get_data(as_text=True)
        assert 'class="card error-page"' in response.get_data(as_text=True)
    assert password_checks.count == 0
    assert "login refused: the login limit cannot count" in caplog.text
