"""The health page's facts: the status sync's recent runs, queues, workers, the provider's
recent error rate and latency, the catalog's age, and Postgres and Redis."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis
from flask import current_app
from flask_babel import gettext as _

from app.catalog.store import STALE_KEY, CatalogStore
from app.extensions import get_redis
from app.health import readiness
from app.metrics.recent import ProviderHealth, read
from app.queue_info import QueueState, live_workers, queue_states
from app.records.sync_runs import SyncRun, last_run_age, last_success_age, recent_runs


@dataclass
class Health:
    problems: dict[str, str | None]
    runs: list[SyncRun] = field(default_factory=list)
    last_run_age: float | None = None
    last_success_age: float | None = None
    queues: list[QueueState] = field(default_factory=list)
    workers: int = 0
    provider: ProviderHealth | None = None
    catalog_age: float | None = None

    @property
    def ready(self) -> bool:
        return not any(self.problems.values())


def catalog_age() -> float | None:
    """Seconds since the catalog copy we serve was read from the provider."""
    snapshot = CatalogStore().load(STALE_KEY)
    if snapshot is None:
        return None
    return (datetime.now(UTC) - snapshot.fetched_at).total_seconds()


def gather() -> Health:
    """Everything on the page; with Redis down, only the checks (which say so)."""
    health = Health(problems=readiness())
    if health.problems["redis"]:
        return health
    try:
        health.runs = recent_runs()
        health.last_run_age = last_run_age()
        health.last_success_age = last_success_age()
        health.queues = queue_states()
        health.workers = len(live_workers(current_app.config["READY_WORKER_SECONDS"]))
        health.provider = read(get_redis())
        health.catalog_age = catalog_age()
    except redis.RedisError as error:
        health.problems["redis"] = _("failed while reading (%(error)s)", error=type(error).__name__)
    return health
