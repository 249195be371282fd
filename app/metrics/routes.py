"""`GET /metrics` in Prometheus' text format, behind a bearer token when METRICS_TOKEN is set.

In production without a token the route does not exist; serve the metrics on a separate
address instead (METRICS_ADDRESS: gunicorn's master serves them there, see gunicorn.conf.py).
"""

import hmac
import logging
from collections.abc import Callable

import redis
from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from app.metrics import PREFIX
from app.queue_info import QueueState, queue_states

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)


class QueueCollector:
    """Queue depths and oldest jobs, read from Redis at scrape time (not a per-process value)
    by `read_states`."""

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


class Forward:
    """Collects another registry's metrics (this process's, outside multiprocess mode)."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()


def scrape_registry(
    directory: str | None, read_states: Callable[[], list[QueueState]]
) -> CollectorRegistry:
    """Every process's metrics (from `directory` in multiprocess mode, else this process's),
    and the queues'."""
    registry = CollectorRegistry()
    if directory:
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(Forward(REGISTRY))
    registry.register(QueueCollector(read_states))
    return registry


def presents_metrics_token() -> bool:
    """The request carries `Authorization: Bearer <METRICS_TOKEN>` (never, with no token set)."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def authorised() -> bool:
    if not current_app.config.get("METRICS_TOKEN"):
        return current_app.config["APP_ENV"] != "production"
    return presents_metrics_token()


@bp.get("/metrics")
def scrape():
    if not authorised():
        if not current_app.config.get("METRICS_TOKEN"):
            abort(404)
        return Response("A bearer token is required.\n", 401, {"WWW-Authenticate": "Bearer"})
    registry = scrape_registry(current_app.config.get("PROMETHEUS_MULTIPROC_DIR"), queue_states)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
