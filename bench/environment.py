"""The benchmarks' own world: a bench database, the sandbox as several processes, seeded orders.

Everything lives apart from development and tests: the database `clicktomice_bench`, Redis
database 10, and the sandbox's keys under the prefix `bench`.
"""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.cli import ensure_database
from app.config import DEV_ORDER_TOKEN
from app.extensions import db, get_redis
from app.models import User
from app.orders.sync.state import FANOUT_KEY, LOCK_KEY, PAUSE_KEY
from sandbox.client import SandboxControl
from tests.support.orders import processing_orders
from tests.support.processes import closed_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_bench"
)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


def bench_app(**overrides) -> Flask:
    """The app as production builds it (`Config`), on the bench database and Redis; the
    environment is development, which needs no production secrets; no statement timeout,
    since seeding and resetting 50,000 orders take longer than a page may."""
    settings = {
        "APP_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": BENCH_DATABASE_URL,
        "REDIS_URL": BENCH_REDIS_URL,
        "DATABASE_STATEMENT_TIMEOUT_SECONDS": 0,
    }
    return create_app({**settings, **overrides})


def sync_app(sandbox_url: str, concurrency: int, orders: int) -> Flask:
    """The app pointed at the bench sandbox; no fan-out, so the whole backlog is synced in this
    process."""
    return bench_app(
        ORDER_SERVICE_BASE_URL=sandbox_url,
        ORDER_SERVICE_API_TOKEN=DEV_ORDER_TOKEN,
        SYNC_CONCURRENCY=concurrency,
        SYNC_FANOUT_THRESHOLD=orders + 1,
    )


def prepare_database(app: Flask) -> None:
    """Create the bench database if missing and bring its schema up with the migrations."""
    ensure_database(make_url(BENCH_DATABASE_URL))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


@contextmanager
def sandbox_processes(latency_ms: float, workers: int, threads: int) -> Iterator[str]:
    """The sandbox under gunicorn (gthread), `workers` processes; stopped on the way out."""
    port = closed_port()  # free now; the sandbox binds it
    command = [
        sys.executable,
        *("-m", "app.sandbox", "--workers", str(workers), "--threads", str(threads)),
        *("--port", str(port), "--latency-ms", str(latency_ms)),
        *("--processing-seconds", "3600", "--redis-url", BENCH_REDIS_URL, "--prefix", "bench"),
    ]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    wait_until(lambda: process.poll() is not None or serving(url), seconds=seconds, step=0.2)
    if process.poll() is not None:
        raise RuntimeError("the sandbox exited at start-up")


def serving(url: str) -> bool:
    try:
        return requests.get(f"{url}/_sandbox/stats", timeout=1).ok
    except requests.RequestException:
        return False


def seed(app: Flask, sandbox: SandboxControl, count: int) -> list[uuid.UUID]:
    """`count` orders in processing here, each one "done" at the sandbox."""
    sandbox.reset()
    with app.app_context():
        db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
        user = User(email="bench@example.com", password_hash="-")
        db.session.add(user)
        db.session.commit()
        pairs = processing_orders(sandbox, user.id, count, state="done")
    return [external for _, external in pairs]


def reset_orders(app: Flask) -> None:
    """Every order back in processing and due, no events: the same data for every run."""
    with app.app_context():
        db.session.execute(text("TRUNCATE order_events"))
        db.session.execute(
            text(
                "UPDATE orders SET status = 'in_processing', status_reason = NULL, "
                "next_check_at = NULL, last_checked_at = NULL, check_failures = 0, "
                "last_check_error = NULL"
            )
        )
        db.session.commit()
        get_redis().delete(LOCK_KEY, PAUSE_KEY, FANOUT_KEY)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE orders"))
        db.session.remove()
