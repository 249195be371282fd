"""Personal API tokens: made on the account page and shown once, stored as a hash, refused once
revoked or expired, scoped, kept apart between accounts, and revocable from the console."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.api.tokens import create_token, digest, list_tokens
from app.extensions import db
from app.models import ApiToken
from tests.support.auth import logged_in_client

SECRET = re.compile(
    r'data-token-secret[^>]*value="(ctm_[A-Za-z0-9]{40})"|value="(ctm_[A-Za-z0-9]{40})"[^>]*data-token-secret'
)


def make_on_page(client, name="Shop", scope="read write", expires="90"):
    return client.post("/account/tokens", data={"name": name, "scope": scope, "expires": expires})


def secret_on(page: str) -> str:
    found = SECRET.search(page)
    assert found, "no token secret on the page"
    return found.group(1) or found.group(2)


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_as_a_hash(
    client, logged_in, make_api
):
    response = make_on_page(client, name="Shop on Tilda")
    assert response.status_code == 200
    secret = secret_on(response.get_data(as_text=True))
    [token] = list_tokens(logged_in.id)
    assert token.name == "Shop on Tilda" and token.scope == "read write"
    assert token.token_hash == digest(secret) and secret not in token.token_hash
    assert token.expires_at is not None
    again = client.get("/account").get_data(as_text=True)
    assert secret not in again and "Shop on Tilda" in again and f"ctm_{token.hint}" in again
    assert make_api(token=secret).get("/orders").status_code == 200


def test_a_token_without_a_name_is_refused_with_the_reason(client, logged_in):
    response = make_on_page(client, name="  ")
    assert response.status_code == 422
    assert "Name the token." in response.get_data(as_text=True)
    assert list_tokens(logged_in.id) == []


def test_a_revoked_token_is_refused_at_the_next_request(client, logged_in, make_api):
    token, secret = create_token(logged_in.id, "script", "read")
    api = make_api(token=secret)
    assert api.get("/orders").status_code == 200
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 303
    refused = api.get("/orders")
    assert refused.status_code == 401 and refused.get_json()["code"] == "invalid_token"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Revoked" in client.get("/account").get_data(as_text=True)


def test_an_expired_token_is_refused(app, user, make_api):
    token, secret = create_token(user.id, "old", "read", expires_in_days=1)
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()
    assert make_api(token=secret).get("/orders").get_json()["code"] == "invalid_token"


def test_requests_without_a_token_or_with_a_malformed_one_are_refused(make_api, user):
    assert make_api(token=None).get("/orders").get_json()["code"] == "unauthorized"
    for bad in ("ctm_short", "x" * 500, "ctm_" + "é" * 40, "Basic abc"):
        response = make_api(token=bad).get("/orders")
        assert response.status_code == 401
    basic = make_api(token=None).get("/orders", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.get_json()["code"] == "unauthorized"


def test_the_session_cookie_never_authenticates_the_api(client, logged_in, checker):
    response = client.get("/api/v1/orders")
    checker.check("GET", "/api/v1/orders", response)
    assert response.status_code == 401
    posted = client.post("/api/v1/orders", json={"services": ["x"]})
    assert posted.status_code == 401


def test_a_read_only_token_cannot_change_anything(make_api, user, services):
    api = make_api(user, scope="read")
    response = api.post("/orders", json={"services": [services[0].uuid]})
    assert response.status_code == 403
    assert response.get_json()["code"] == "insufficient_scope"
    assert api.get("/orders").get_json()["data"] == []


def test_last_used_is_written_at_most_once_a_minute(app, user, make_api):
    token, secret = create_token(user.id, "busy", "read")
    api = make_api(token=secret)
    api.get("/orders")
    first = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id))
    assert first is not None
    api.get("/orders")
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id)) == first
    an_hour_ago = first - timedelta(hours=1)
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=an_hour_ago)
    )
    db.session.commit()
    api.get("/orders")
    db.session.expire_all()
    assert (
        db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id))
        > an_hour_ago
    )


def test_accounts_never_see_or_revoke_each_others_tokens(app, client, logged_in, factory):
    other = factory.user(email="other@example.com", password="other-secret")
    theirs, _ = create_token(other.id, "their shop", "read write")
    make_on_page(client, name="my shop")
    page = client.get("/account").get_data(as_text=True)
    assert "their shop" not in page and "my shop" in page
    client.post(f"/account/tokens/{theirs.id}/revoke")
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_operators_see_and_revoke_a_customers_tokens(app, user, operator_client, make_api):
    token, secret = create_token(user.id, "leaked one", "read write")
    page = operator_client.get("/ops/tokens?customer=test@").get_data(as_text=True)
    assert "leaked one" in page and user.email in page
    response = operator_client.post(f"/ops/tokens/{token.id}/revoke", data={"customer": "test@"})
    assert response.status_code == 303
    db.session.expire_all()
    revoked = db.session.get(ApiToken, token.id)
    assert revoked.revoked_at is not None and revoked.revoked_by_id is not None
    assert make_api(token=secret).get("/orders").status_code == 401


def test_customers_do_not_reach_the_consoles_tokens(app, user, client, logged_in):
    assert client.get("/ops/tokens").status_code == 404
    assert logged_in_client(app).post("/ops/tokens/1/revoke").status_code == 404
