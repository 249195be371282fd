"""Logging in through the login form, as a customer does."""

from flask import Flask
from flask.testing import FlaskClient

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
