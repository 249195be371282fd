"""Error pages: the product's look for anyone, and a clear 503 when Postgres is down."""

import uuid

import pytest

from tests.support.auth import EMAIL, PASSWORD, AuthActions

DOWN_DATABASE = "postgresql+psycopg2://postgres@127.0.0.1:1/clicktomice_test"


def test_database_down_is_a_styled_503_for_a_login_and_for_a_logged_in_session(make_app, user):
    app = make_app(
        SQLALCHEMY_DATABASE_URI=DOWN_DATABASE,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    client = app.test_client()
    assert client.get("/login").status_code == 200  # the form itself needs no database
    login = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 503
    assert b"database is not answering" in login.data

    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "The database is not answering. What you just did may not have been saved" in html
    assert 'class="error-code">503<' in html and "app.css" in html


def test_database_down_page_keeps_a_pending_progress_message_for_later(make_app, user):
    """Checking a progress message asks the database for its order; the 503 page must not."""
    app = make_app(
        SQLALCHEMY_DATABASE_URI=DOWN_DATABASE,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    client = app.test_client()
    progress = {"text": "Sending…", "order_id": str(uuid.uuid4()), "while_status": "sending"}
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_flashes"] = [("success", progress)]
    response = client.get("/")
    assert response.status_code == 503
    assert "The database is not answering" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", progress)]


@pytest.mark.parametrize("logged_in", [False, True])
def test_unknown_page_is_a_styled_404_for_anyone(client, user, logged_in):
    if logged_in:
        assert AuthActions(client).login().status_code == 302
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<title>Not found · Click to Mice</title>" in html
    assert 'class="error-code">404<' in html and "app.css" in html
    if not logged_in:
        assert ">Log in</a>" in html
