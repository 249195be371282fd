"""`GET /metrics` in Prometheus' text format, behind a bearer token when METRICS_TOKEN is set.
In production without a token the route does not exist: serve the metrics on METRICS_ADDRESS
instead (`serve_metrics`: gunicorn's master serves them there, without a Flask app)."""

import hmac
import logging
from collections.abc import Callable, Mapping

import redis
from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from app.extensions import redis_options
from app.metrics import PREFIX
from app.queue_info import QueueState, queue_state, queue_states

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)


class QueueCollector:
    """Queue depths and oldest jobs, read from Redis at scrape time (not a per-process value)."""

    def __init__(self, read_states: Callable[[], list[QueueState]]):
        self.read_states = read_states

    def collect(self):
        depth = GaugeMetricFamily(
            f"{PREFIX}_queue_depth", "Jobs waiting, by queue", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            f"{PREFIX}_queue_oldest_job_age_seconds",
            "Age of the oldest job waiting, by queue (0 when none waits)",
            labels=["queue"],
        )
        try:
            states = self.read_states()
        except redis.RedisError as error:
            log.warning("queue metrics unavailable (Redis): %s", error)
            return
        for state in states:
            depth.add_metric([state.name], state.depth)
            oldest.add_metric([state.name], state.oldest_age or 0.0)
        yield depth
        yield oldest


def scrape_registry(directory: str | None, read_states: Callable) -> CollectorRegistry:
    registry = CollectorRegistry()
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(REGISTRY)  # this process's metrics
    registry.register(QueueCollector(read_states))
    return registry


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


def presents_metrics_token() -> bool:
    """The request carries `Authorization: Bearer <METRICS_TOKEN>` (never, with no token set)."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.get("/metrics")
def scrape():
    token = current_app.config.get("METRICS_TOKEN")
    if not token and current_app.config["APP_ENV"] == "production":
        abort(404)
    if token and not presents_metrics_token():
        return Response("A bearer token is required.\n", 401, {"WWW-Authenticate": "Bearer"})
    registry = scrape_registry(current_app.config.get("PROMETHEUS_MULTIPROC_DIR"), queue_states)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
