import pytest

from app import create_app
from app.config import ProductionError, database_url
from app.extensions import db
from app.models import User
from tests.support.environment import PRODUCTION, use_environment


def test_seed_user_is_idempotent(runner, app):
    first = runner.invoke(args=["seed-user"])
    second = runner.invoke(args=["seed-user"])
    assert first.exit_code == 0 and "Created user test@gmail.com" in first.output
    assert second.exit_code == 0 and "Updated user test@gmail.com" in second.output
    users = db.session.scalars(db.select(User)).all()
    assert [u.email for u in users] == ["test@gmail.com"]
    assert users[0].check_password("qwe123")


def test_seed_user_with_other_credentials(runner, app):
    result = runner.invoke(
        args=["seed-user", "--email", "Boss@Example.com", "--password", "s3cret!"]
    )
    assert result.exit_code == 0
    user = db.session.scalar(db.select(User).filter_by(email="boss@example.com"))
    assert user.check_password("s3cret!")


def test_create_user_refuses_a_duplicate_and_a_short_password(runner, app):
    ok = runner.invoke(args=["create-user", "--email", "a@example.com", "--password", "longenough"])
    assert ok.exit_code == 0
    again = runner.invoke(args=["create-user", "--email", "a@example.com", "--password", "x" * 8])
    assert again.exit_code != 0 and "exists already" in again.output
    short = runner.invoke(args=["create-user", "--email", "b@example.com", "--password", "abc"])
    assert short.exit_code != 0 and "6 to 128" in short.output


def test_login_works_for_the_seeded_user(runner, client):
    runner.invoke(args=["seed-user"])
    response = client.post("/login", data={"email": "test@gmail.com", "password": "qwe123"})
    assert response.status_code == 302


def test_production_refuses_to_start_without_secrets(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ProductionError, match="SECRET_KEY"):
        create_app()


def test_production_with_secrets_uses_secure_cookies(monkeypatch):
    use_environment(monkeypatch, **PRODUCTION)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@db/prod"
    assert app.config["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]


@pytest.mark.parametrize(
    "given,expected",
    [
        ("postgres://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
    ],
)
def test_database_url_uses_psycopg2(given, expected):
    assert database_url(given) == expected


def test_healthz_needs_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
