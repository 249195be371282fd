"""Shared pieces of the benchmarks: a bench database, peak memory, machine facts."""

import os
import resource
import statistics
import time
from datetime import UTC, datetime

from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.cli import ensure_database
from app.config import TestConfig

BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/clicktomice_bench"
)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


def bench_app(**overrides):
    """An app on the bench database (created and migrated if needed) and Redis db 10."""
    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=BENCH_DATABASE_URL, REDIS_URL=BENCH_REDIS_URL, TESTING=False
    )
    settings.update(overrides)
    ensure_database(make_url(BENCH_DATABASE_URL))
    app = create_app(settings)
    with app.app_context():
        upgrade()
    return app


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d}"


def timed(func, repeat: int) -> list[float]:
    """Wall times in milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms  ({len(times)} runs)"
