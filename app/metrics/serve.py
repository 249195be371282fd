"""The metrics on their own address, served by gunicorn's master (METRICS_ADDRESS): the sums
of every process's files, and the queues read from REDIS_URL. No Flask app is needed here: the
settings are those `app.config.environment_settings` reads."""

from collections.abc import Mapping

import redis
from prometheus_client import start_http_server

from app.extensions import redis_options
from app.metrics.routes import scrape_registry
from app.queue_info import queue_state


def serve_metrics(settings: Mapping, host: str, port: int) -> int:
    """Start serving in a thread; returns the port (useful when asked for port 0)."""
    options = redis_options(settings["REDIS_SOCKET_TIMEOUT"])
    connection = redis.Redis.from_url(settings["REDIS_URL"], **options)
    names = (settings["RQ_SEND_QUEUE"], settings["RQ_QUEUE"])
    registry = scrape_registry(
        settings["PROMETHEUS_MULTIPROC_DIR"],
        lambda: [queue_state(name, connection) for name in names],
    )
    server, _ = start_http_server(port, addr=host, registry=registry)
    return server.server_port
