import re

import pytest
from limits import parse

from app.models import User


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data and b'name="password"' in response.data
    assert client.head("/login").status_code == 200


def test_login_and_logout(client, auth, user):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_logout_is_post_only(client, logged_in):
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_email_is_case_insensitive(auth, user):
    assert auth.login(email="  Test@Gmail.COM ").status_code == 302


@pytest.mark.parametrize(
    "email,password",
    [("test@gmail.com", "wrong-password"), ("nobody@example.com", "qwe123")],
)
def test_wrong_credentials_do_not_say_which_part(client, auth, user, email, password):
    response = auth.login(email=email, password=password)
    assert response.status_code == 401
    assert b"Wrong email or password." in response.data
    assert client.get("/").status_code == 302


def test_anonymous_is_redirected_to_login_with_next(client):
    response = client.get("/catalog")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/catalog", "/catalog"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_goes_to_local_paths(client, user, target, expected):
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": "qwe123"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def login_limit(app, name: str = "LOGIN_LIMIT_PER_ACCOUNT") -> int:
    return parse(app.config[name]).amount


def test_rate_limit_per_email(app, client, auth, user):
    limit = login_limit(app)
    for _ in range(limit):
        assert auth.login(password="wrong-password").status_code == 401
    response = auth.login()
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert client.get("/").status_code == 302


def test_rate_limit_per_address(make_app, factory):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="3 per hour", LOGIN_LIMIT_PER_ACCOUNT="100 per hour")
    client = app.test_client()
    for number in range(3):
        data = {"email": f"guess{number}@example.com", "password": "nope123"}
        assert client.post("/login", data=data).status_code == 401
    data = {"email": "other@example.com", "password": "nope123"}
    assert client.post("/login", data=data).status_code == 429


def test_success_clears_email_counter(app, auth, user):
    for _ in range(login_limit(app) - 1):
        auth.login(password="wrong-password")
    assert auth.login().status_code == 302
    auth.logout()
    assert auth.login(password="wrong-password").status_code == 401


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "test@gmail.com"},
        {"password": "qwe123"},
        {"email": "", "password": ""},
        {"email": "test@gmail.com", "password": "x" * (10 * 1024 * 1024)},
        {"email": "a" * 5000 + "@example.com", "password": "qwe123"},
        {"email": "\x00\xff", "password": "\x00"},
    ],
)
def test_bad_login_input_is_a_4xx_never_a_500(client, user, data):
    response = client.post("/login", data=data)
    assert response.status_code in (400, 401, 422)
    assert client.get("/").status_code == 302


def test_login_form_with_csrf_enabled(make_app, user):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    data = {"email": "test@gmail.com", "password": "qwe123"}
    assert client.post("/login", data=data).status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={**data, "csrf_token": token}).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_flags(client, auth, user):
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed(app, user):
    stored = app.extensions["sqlalchemy"].session.get(User, user.id).password_hash
    assert "qwe123" not in stored and stored.startswith("scrypt:")
