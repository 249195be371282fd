"""The benchmark's own world: a bench database, the sandbox as several processes, seeded orders.

Everything lives apart from development and tests: the database `clicktomice_bench`, Redis
database 10, and the sandbox's keys under the prefix `bench`.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from app import create_app
from app.cli import ensure_database
from app.config import DEV_ORDER_TOKEN, Config
from app.extensions import db, get_redis
from app.models import Order, OrderStatus, User
from app.orders.sync.state import FANOUT_KEY, LOCK_KEY, PAUSE_KEY
from sandbox.client import SandboxControl

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_bench"
)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
SEED_CHUNK = 5000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_app(sandbox_url: str, concurrency: int, orders: int) -> Flask:
    """The app as production builds it, pointed at the bench services; no fan-out, so the
    whole backlog is synced in this process."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": BENCH_DATABASE_URL,
            "REDIS_URL": BENCH_REDIS_URL,
            "ORDER_SERVICE_BASE_URL": sandbox_url,
            "ORDER_SERVICE_API_TOKEN": DEV_ORDER_TOKEN,
            "SYNC_CONCURRENCY": concurrency,
            "SYNC_FANOUT_THRESHOLD": orders + 1,
            "SYNC_LOCK_TTL_SECONDS": Config.SYNC_LOCK_TTL_SECONDS,
        }
    )


def prepare_database(app: Flask) -> None:
    """Create the bench database if missing and bring its schema up with the migrations."""
    ensure_database(make_url(BENCH_DATABASE_URL))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


@contextmanager
def sandbox_processes(latency_ms: float, workers: int, threads: int) -> Iterator[str]:
    """The sandbox under gunicorn (gthread), `workers` processes; stopped on the way out."""
    port = free_port()
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
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the sandbox exited at start-up")
        try:
            requests.get(f"{url}/_sandbox/stats", timeout=1).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("the sandbox did not start serving")


def seed(app: Flask, sandbox: SandboxControl, count: int) -> list[uuid.UUID]:
    """`count` orders in processing here, each one "done" at the sandbox."""
    sandbox.reset()
    with app.app_context():
        db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
        user = User(email="bench@example.com", password_hash="-")
        db.session.add(user)
        db.session.commit()
        externals = []
        for start in range(0, count, SEED_CHUNK):
            chunk = [uuid.uuid4() for _ in range(min(SEED_CHUNK, count - start))]
            rows = [
                {"user_id": user.id, "status": OrderStatus.IN_PROCESSING, "external_uuid": e}
                for e in chunk
            ]
            db.session.execute(insert(Order), rows)
            db.session.commit()
            sandbox.seed_orders(chunk, state="done")
            externals.extend(chunk)
    return externals


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
