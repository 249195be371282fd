"""The account page: the email, and a password change that needs the current password."""

import pytest

from app.extensions import db
from app.models import User
from tests.support.auth import EMAIL, PASSWORD, AuthActions, logged_in_client


def change(client, current=PASSWORD, new="new-secret-1", repeat=None):
    data = {"current_password": current, "new_password": new, "repeat_password": repeat or new}
    return client.post("/account/password", data=data)


def password_is(user: User, password: str) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).check_password(password)


def test_the_page_shows_the_email_and_the_form(client, logged_in):
    html = client.get("/account").get_data(as_text=True)
    assert f'data-account="email">{EMAIL}<' in html
    assert 'name="current_password"' in html and 'name="new_password"' in html


def test_a_new_password_replaces_the_old_one(client, logged_in):
    response = change(client)
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert password_is(logged_in, "new-secret-1")
    assert "Your password is changed, and every other session is logged out." in client.get(
        "/account"
    ).get_data(as_text=True)
    app = client.application
    assert AuthActions(app.test_client()).login(EMAIL, PASSWORD).status_code == 401
    assert AuthActions(app.test_client()).login(EMAIL, "new-secret-1").status_code == 302


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"current": "wrong-one"}, "That is not your current password."),
        ({"current": ""}, "Enter your current password."),
        ({"new": "short"}, "The new password needs 6 to 128 characters."),
        ({"new": "x" * 129}, "The new password needs 6 to 128 characters."),
        ({"new": "new-secret-1", "repeat": "new-secret-2"}, "The two new passwords differ."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(client, logged_in, fields, message):
    response = change(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert password_is(logged_in, PASSWORD)


def test_only_a_logged_in_user_has_an_account_page(client, user):
    assert client.get("/account").status_code == 302
    assert change(client).status_code == 302
    assert password_is(user, PASSWORD)
    assert client.get("/account/password").status_code == 405


def test_a_new_password_ends_the_other_sessions_but_not_this_one(app, client, logged_in):
    elsewhere = logged_in_client(app)
    assert change(client).status_code == 303
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
