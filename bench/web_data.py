"""The web benchmarks' own database: created and migrated if missing, seeded with users who
each own many orders, and the environment that points a web process at it."""

import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import requests
from flask_migrate import upgrade
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app import create_app
from app.cli import ensure_database
from app.extensions import db
from app.models import Order, User
from bench.web_servers import ROOT

DATABASE_URL = os.environ.get(
    "BENCH_WEB_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_bench_web"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
PASSWORD = "bench-password"
STATUSES = ("done", "in_processing", "draft", "done", "cancelled", "done", "failed")
SECRET_KEY = "bench-only-secret"


def app_environment(**extra: str) -> dict:
    """What a web process started from the Procfile reads to reach the bench services."""
    return {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "LIVE_CHANNEL_PREFIX": "bench-web:",
        **extra,
    }


def bench_app():
    settings = {"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "REDIS_URL": REDIS_URL}
    settings.update(SECRET_KEY=SECRET_KEY, LIVE_CHANNEL_PREFIX="bench-web:")
    return create_app(settings)


def email(n: int) -> str:
    return f"bench-{n}@example.com"


def prepare(users: int, orders_each: int, statuses: tuple = STATUSES) -> list[int]:
    """A fresh bench database with `users` users of `orders_each` orders; their ids."""
    ensure_database(make_url(DATABASE_URL))
    app = bench_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
        ids = [seed_user(n, orders_each, statuses) for n in range(users)]
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE users, orders"))
        db.session.remove()
        db.engine.dispose()
    return ids


def seed_user(n: int, count: int, statuses: tuple) -> int:
    user = User(email=email(n))
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [
        {
            "user_id": user.id,
            "status": statuses[i % len(statuses)],
            "price": Decimal("1100.10") + i % 50,
            "tax": Decimal("242.02"),
            "gross": Decimal("1342.12") + i % 50,
            "created_at": start + timedelta(minutes=i),
            "updated_at": start + timedelta(minutes=i, seconds=30),
        }
        for i in range(count)
    ]
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Order), rows[chunk : chunk + 5000])
    return user.id


def session_cookie(base_url: str, n: int = 0) -> str:
    """Log in as bench user `n` through the login form; the Cookie header to send."""
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"email": email(n), "password": PASSWORD, "csrf_token": token.group(1)}
    response = session.post(f"{base_url}/login", data=data, timeout=10, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)
