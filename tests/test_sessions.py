"""Logins are server-side sessions: logging out, logging out the others, a new password and
age all end them, and a copied cookie replayed afterwards opens nothing."""

from datetime import timedelta

from sqlalchemy import func, select, update

from app.accounts import change_password
from app.auth.sessions import start_session
from app.extensions import db
from app.models import Order, UserSession
from tests.support.auth import logged_in_client


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh client carrying a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def order_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def test_a_cookie_replayed_after_logout_is_refused(app, client, auth, user, services):
    assert auth.login().status_code == 302
    copied = cookie_of(client)
    assert replay(app, copied).get("/").status_code == 200
    assert auth.logout().status_code == 302

    thief = replay(app, copied)
    assert thief.get("/").status_code == 302
    created = thief.post("/orders/new", data={"services": [services[0].uuid]})
    assert created.status_code == 302 and created.headers["Location"].startswith("/login")
    assert order_count() == 0


def test_the_cookie_holds_no_user_id_and_the_database_no_token(app, client, auth, user):
    auth.login()
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert token != str(user.id) and len(token) >= 40
    stored = db.session.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0]


def test_logging_out_ends_only_this_session(app, user):
    laptop, phone = logged_in_client(app), logged_in_client(app)
    assert laptop.post("/logout").status_code == 302
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_log_out_of_all_other_sessions(app, user, factory):
    here, laptop, phone = (logged_in_client(app) for _ in range(3))
    factory.user(email="other@example.com", password="other-password")
    elsewhere = logged_in_client(app, "other@example.com", "other-password")
    page = here.get("/account").get_data(as_text=True)
    assert "3 active sessions" in page and "Log out of all other sessions" in page

    response = here.post("/account/sessions/end-others", follow_redirects=True)
    assert "Logged out of 2 other sessions." in response.get_data(as_text=True)
    assert "1 active session," in response.get_data(as_text=True)
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 200


def test_ending_other_sessions_needs_a_post_with_the_csrf_token(make_app, app, user):
    logged_in_client(app)
    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    with strict.session_transaction() as session:
        session["_user_id"] = start_session(user)
    assert strict.get("/account/sessions/end-others").status_code == 405
    assert strict.post("/account/sessions/end-others").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 2


def test_a_new_password_ends_every_session(app, user):
    laptop, phone = logged_in_client(app), logged_in_client(app)
    change_password(user, "a-new-password")
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert logged_in_client(app, password="a-new-password").get("/").status_code == 200


def test_seed_user_resetting_a_password_ends_the_sessions(app, runner, user):
    laptop = logged_in_client(app)
    result = runner.invoke(args=["seed-user", "--password", "another-one"])
    assert result.exit_code == 0
    assert laptop.get("/").status_code == 302


def test_a_session_older_than_its_lifetime_is_refused(app, user):
    client = logged_in_client(app)
    age = timedelta(seconds=app.config["SESSION_MAX_AGE_SECONDS"] + 60)
    db.session.execute(update(UserSession).values(created_at=func.now() - age))
    db.session.commit()
    assert client.get("/").status_code == 302
    logged_in_client(app)  # a new login clears the user's expired sessions
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_forged_or_old_style_session_value_logs_nobody_in(app, user):
    for value in (str(user.id), "", "x" * 5000, 42, None):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = value
        assert client.get("/").status_code == 302
