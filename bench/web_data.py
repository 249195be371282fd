"""The web benchmarks' data: users who each own many orders in the bench database, their
login, and the environment that points a web process at the bench database and Redis."""

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from app.extensions import db
from app.models import User
from bench.environment import BENCH_DATABASE_URL, BENCH_REDIS_URL, bench_app, prepare_database
from tests.support.auth import login_over_http
from tests.support.orders import insert_orders

RESULTS = Path(__file__).resolve().parent / "results"  # servers' logs (not committed)
PASSWORD = "bench-password"
SECRET_KEY = "bench-only-secret-not-for-production-use-0123456789"
CHANNELS = "bench-web:"
# The browser the bench users log in with and refresh from.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) click-to-mice-bench"
STATUSES = ("done", "in_processing", "draft", "done", "cancelled", "done", "failed")


def web_app():
    return bench_app(SECRET_KEY=SECRET_KEY, LIVE_CHANNEL_PREFIX=CHANNELS)


def app_environment(**extra: str) -> dict:
    """What a web process started from the Procfile reads (`Config.from_env`)."""
    return {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": BENCH_DATABASE_URL,
        "REDIS_URL": BENCH_REDIS_URL,
        "LIVE_CHANNEL_PREFIX": CHANNELS,
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per hour",  # every bench user logs in from here
        **extra,
    }


def email(n: int) -> str:
    return f"bench-{n}@example.com"


def prepare(users: int, orders_each: int, statuses: tuple = STATUSES) -> list[int]:
    """The bench database emptied, then `users` users of `orders_each` orders; their ids."""
    app = web_app()
    prepare_database(app)
    with app.app_context():
        db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
        ids = [seed_user(n, orders_each, statuses) for n in range(users)]
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE users, orders"))
        db.session.remove()
        db.engine.dispose()
    return ids


def seed_user(n: int, count: int, statuses: tuple) -> int:
    """A user with `count` orders, a minute apart, cycling through `statuses` and prices."""
    user = User(email=email(n))
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    start = datetime(2025, 1, 1, tzinfo=UTC)

    def each(i: int) -> dict:
        return {
            "status": statuses[i % len(statuses)],
            "price": Decimal("1100.10") + i % 50,
            "tax": Decimal("242.02"),
            "gross": Decimal("1342.12") + i % 50,
            "created_at": start + timedelta(minutes=i),
            "updated_at": start + timedelta(minutes=i, seconds=30),
        }

    insert_orders(user.id, count, each=each)
    return user.id


def session_cookie(base_url: str, n: int = 0) -> str:
    """Log in as bench user `n` from USER_AGENT; the Cookie header to send."""
    return login_over_http(base_url, email(n), PASSWORD, USER_AGENT)
