"""The API's fixtures: tokens, and a client whose every answer is checked against the document."""

import pytest
from flask.testing import FlaskClient

from app.api.document import document
from app.api.tokens import create_token
from tests.api.document_check import DocumentCheck


class ApiClient:
    """A test client that sends a Bearer token and checks every answer against the document."""

    def __init__(self, client: FlaskClient, checker: DocumentCheck, token: str | None):
        self.client, self.checker, self.token = client, checker, token

    def request(self, method: str, path: str, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        response = self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        self.checker.check(method, f"/api/v1{path.split('?')[0]}", response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def checker(app):
    return DocumentCheck(document())


@pytest.fixture
def make_api(app, checker):
    """An API client for `user` with a new token of `scope`, or else with `token` as it is
    (None: no Authorization header)."""

    def build(user=None, scope="read write", token=None):
        if user is not None:
            _, token = create_token(user.id, "tests", scope)
        return ApiClient(app.test_client(), checker, token)

    return build


@pytest.fixture
def api(make_api, user):
    return make_api(user)
