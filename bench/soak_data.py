"""The soak's and the tabs benchmark's world: a database and Redis numbers of their own, many
customers made at once (one password hash for all, logins minted straight into the database
instead of 170 ms of password check each), and open orders for the sync.

Database `clicktomice_soak` (SOAK_DATABASE_URL), the app's Redis database 8 (SOAK_REDIS_URL) and
the sandbox's 9 (SOAK_SANDBOX_REDIS_URL).
"""

import os
import secrets
from decimal import Decimal

import redis
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.sessions import digest
from app.cli import ensure_database
from app.extensions import db
from app.models import User, UserSession
from app.passwords import hash_password
from bench.environment import ROOT
from tests.support.orders import insert_orders

DATABASE_URL = os.environ.get(
    "SOAK_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_soak"
)
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/8")
SANDBOX_REDIS_URL = os.environ.get("SOAK_SANDBOX_REDIS_URL", "redis://127.0.0.1:6379/9")
SECRET_KEY = "soak-only-secret-not-for-production-use-0123456789abcdef"
PASSWORD = "soak-password"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) click-to-mice-soak"


def soak_app(**overrides) -> Flask:
    """The app as production builds it, on the soak database and Redis (development settings,
    no statement timeout: seeding takes longer than a page may)."""
    settings = {
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DATABASE_STATEMENT_TIMEOUT_SECONDS": 0,
    }
    return create_app({**settings, **overrides})


def email(n: int) -> str:
    return f"soak-{n}@example.com"


def prepare(app: Flask) -> None:
    """The soak database created if missing, its schema brought up, and emptied; the soak's own
    two Redis databases emptied (no job or lock of an earlier run is left)."""
    for url in (REDIS_URL, SANDBOX_REDIS_URL):
        redis.Redis.from_url(url).flushdb()
    ensure_database(make_url(DATABASE_URL))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
        db.session.commit()


def seed_customers(app: Flask, count: int, orders_each: int = 0, status="done") -> list[int]:
    """`count` customers sharing one password (hashed once); each with `orders_each` orders."""
    password_hash = hash_password(PASSWORD)
    with app.app_context():
        rows = [{"email": email(n), "password_hash": password_hash} for n in range(count)]
        ids = list(db.session.scalars(insert(User).returning(User.id), rows))
        db.session.commit()
        for user_id in ids if orders_each else ():
            insert_orders(user_id, orders_each, status=status, price=Decimal("1100.10"))
        db.session.execute(text("ANALYZE users, orders"))
        db.session.commit()
    return ids


def mint_cookies(app: Flask, user_ids: list[int]) -> list[str]:
    """A live login for each customer, written as the login form writes it; the Cookie header
    its browser would send (signed as Flask signs the session)."""
    tokens = [secrets.token_urlsafe(32) for _ in user_ids]
    with app.app_context():
        pairs = zip(user_ids, tokens, strict=True)
        rows = [{"user_id": u, "token_hash": digest(t)} for u, t in pairs]
        db.session.execute(insert(UserSession), rows)
        db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    return [f"{name}={serializer.dumps({'_user_id': t, '_fresh': True})}" for t in tokens]


def seed_open_orders(app: Flask, sandbox, count: int, state: str = "processing") -> int:
    """`count` orders in processing for one customer of their own, each held by the sandbox in
    `state` for good (so every sync run checks them all); that customer's id."""
    with app.app_context():
        user = User(email="soak-backlog@example.com", password_hash="-")
        db.session.add(user)
        db.session.commit()
        pairs = insert_orders(user.id, count)
        user_id = user.id
    for start in range(0, len(pairs), 5000):
        sandbox.seed_orders([ext for _, ext in pairs[start : start + 5000]], state=state)
    return user_id
