"""The metrics on their own address, served by gunicorn's master (METRICS_ADDRESS): the sums
of every process's files, and the queues read from REDIS_URL. No Flask app is needed here."""

import os

import redis
from prometheus_client import start_http_server

from app.config import Config
from app.metrics.routes import scrape_registry
from app.queue_info import queue_state


def serve_metrics(host: str, port: int) -> int:
    """Start serving in a thread; returns the port (useful when asked for port 0)."""
    connection = redis.Redis.from_url(
        os.environ.get("REDIS_URL", Config.REDIS_URL),
        socket_timeout=Config.REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=Config.REDIS_SOCKET_TIMEOUT,
    )
    names = (Config.RQ_SEND_QUEUE, Config.RQ_QUEUE)
    registry = scrape_registry(
        os.environ["PROMETHEUS_MULTIPROC_DIR"],
        lambda: [queue_state(name, connection) for name in names],
    )
    server, _ = start_http_server(port, addr=host, registry=registry)
    return server.server_port
