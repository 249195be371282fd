"""Helpers for the status sync tests: orders in processing, made fast, straight in the DB."""

import json
import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import func, insert, select, update

from app import create_app
from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus
from app.queue import make_worker


def insert_orders(user_id: int, count: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`count` orders in processing for one user; returns (order id, external uuid) pairs."""
    pairs = [(uuid.uuid4(), uuid.uuid4()) for _ in range(count)]
    rows = [
        {"id": oid, "user_id": user_id, "status": OrderStatus.IN_PROCESSING, "external_uuid": ext}
        for oid, ext in pairs
    ]
    db.session.execute(insert(Order), rows)
    db.session.commit()
    return pairs


def processing_orders(sandbox, user_id: int, count: int, state: str | None = None) -> list:
    """Orders in processing here and known to the sandbox (in `state`, or still "new")."""
    pairs = insert_orders(user_id, count)
    sandbox.seed_orders([ext for _, ext in pairs], state=state)
    return pairs


def order(order_id: uuid.UUID) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def statuses() -> dict[str, int]:
    rows = db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
    return dict(rows)


def events_of(order_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(OrderEvent.from_status, OrderEvent.to_status)
        .where(OrderEvent.order_id == order_id)
        .order_by(OrderEvent.id)
    ).all()
    return [tuple(row) for row in rows]


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OrderEvent))


def make_all_due() -> None:
    """As if the backoff or the recheck delay had passed for every order."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    db.session.execute(update(Order).values(next_check_at=past))
    db.session.commit()


def closed_port() -> int:
    """A local port that nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def state_requests(sandbox) -> int:
    return sandbox.stats()["order_state"]


def enable_sync_logs(caplog) -> None:
    """Capture the orders code's INFO logs (the sync's summary lines among them)."""
    caplog.set_level(logging.INFO, logger="app.orders")


def problems(caplog) -> list[str]:
    """Log records at WARNING or above."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


WORKER_SETTINGS = (
    "APP_ENV",
    "SECRET_KEY",
    "TESTING",
    "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL",
    "RQ_QUEUE",
    "ORDER_SERVICE_BASE_URL",
    "ORDER_SERVICE_API_TOKEN",
    "HTTP_CONNECT_TIMEOUT",
    "HTTP_READ_TIMEOUT",
)


def worker_settings(config) -> str:
    """The settings a worker process needs to work like the test app, as JSON."""
    names = [*WORKER_SETTINGS, *(name for name in config if name.startswith("SYNC_"))]
    return json.dumps({name: config[name] for name in names})


def wait_at_start_line(app, key: str, runners: int, seconds: float = 30) -> None:
    """Let worker processes that started at different speeds begin working together."""
    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    connection.incr(key)
    deadline = time.monotonic() + seconds
    while int(connection.get(key)) < runners and time.monotonic() < deadline:
        time.sleep(0.01)


def burst_worker_main() -> None:
    """A burst worker process (`python -c`): works the queue dry, prints the job ids it ran."""
    app = create_app(json.loads(os.environ["SYNC_WORKER_SETTINGS"]))
    worker = make_worker(app)
    wait_at_start_line(app, "test:start-line", int(os.environ["SYNC_WORKERS"]))
    executed: list[str] = []
    execute = worker.execute_job

    def counting_execute(job, queue):
        executed.append(job.id)
        return execute(job, queue)

    worker.execute_job = counting_execute
    worker.work(burst=True, logging_level="WARNING")
    print(json.dumps(executed))
