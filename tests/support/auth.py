"""Logging in through the login form, as a customer does."""

import re

import requests
from flask import Flask
from flask.testing import FlaskClient

from app.auth.sessions import start_session
from app.models import User

EMAIL, PASSWORD = "test@gmail.com", "qwe123"


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email: str = EMAIL, password: str = PASSWORD, **kwargs):
        data = {"email": email, "password": password}
        return self.client.post("/login", data=data, **kwargs)

    def logout(self):
        return self.client.post("/logout")


def logged_in_client(app: Flask, email: str = EMAIL, password: str = PASSWORD) -> FlaskClient:
    """A new client of `app`, logged in (the user must exist)."""
    client = app.test_client()
    assert AuthActions(client).login(email, password).status_code == 302
    return client


def session_client(app: Flask, user: User) -> FlaskClient:
    """A new client of `app`, logged in as `user` by a session started without the login form:
    for an app whose Redis is down, where the login limit refuses every login."""
    client = app.test_client()
    with app.app_context():
        token = start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def login_over_http(
    base_url: str, email: str = EMAIL, password: str = PASSWORD, user_agent: str | None = None
) -> str:
    """Log in to a served app through its form (CSRF token and all); the Cookie header to send
    afterwards (with the same `user_agent`, as the same browser would)."""
    session = requests.Session()
    if user_agent:
        session.headers["User-Agent"] = user_agent
    page = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": email, "password": password, "csrf_token": token}
    response = session.post(f"{base_url}/login", data=data, timeout=10, allow_redirects=False)
    assert response.status_code == 302, f"login over HTTP answered {response.status_code}"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)
