"""The test database itself: created if missing, emptied, migrated to the current schema."""

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
