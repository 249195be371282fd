"""Shared measuring of the benchmarks: timings, their summary, peak memory, machine facts."""

import os
import resource
import statistics
import time
from datetime import UTC, datetime


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
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
