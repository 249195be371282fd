"""The test database itself: created if missing, emptied, migrated to the current schema; and
databases of their own for migration tests, filled at an older revision and then migrated."""

from collections.abc import Callable

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.cli import ensure_database
from app.extensions import db


def rebuild_schema(settings: dict) -> Flask:
    """The database of `settings`, with every table dropped and the migrations run again;
    returns the app used, its connections closed."""
    ensure_database(make_url(settings["SQLALCHEMY_DATABASE_URI"]))
    app = create_app(settings)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return app


def app_migrated_from(settings: dict, suffix: str, revision: str, fill: Callable) -> Flask:
    """An app on a database of its own (the test database's name plus `suffix`), migrated to
    `revision`, filled by `fill(connection)`, then migrated to the head. Close it with
    `dispose(app)`."""
    url = make_url(settings["SQLALCHEMY_DATABASE_URI"])
    url = url.set(database=f"{url.database}{suffix}")
    ensure_database(url)
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url.render_as_string(False)})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            fill(conn)
        upgrade()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
