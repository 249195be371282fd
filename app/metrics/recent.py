"""The provider's recent error rate and latency across every process, for the health page.
Each process sums its calls per minute in memory (the sync records hundreds a second: no Redis
round trip there) and `flush` adds the sums to one shared Redis hash a minute."""

import threading
import time
from collections import Counter
from dataclasses import dataclass

import redis

KEY = "ops:provider:{minute}"
KEEP_SECONDS = 3600
SLOW_MS = 1000  # a call at least this slow counts as slow


@dataclass
class MinuteSums:
    calls: int = 0
    errors: int = 0
    total_ms: float = 0.0
    slow: int = 0

    def add(self, ok: bool, ms: float) -> None:
        self.calls += 1
        self.errors += not ok
        self.total_ms += ms
        self.slow += ms >= SLOW_MS


class RecentCalls:
    """Per-minute sums of one process's calls, waiting to be flushed to Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minutes: dict[int, MinuteSums] = {}

    def record(self, ok: bool, seconds: float) -> None:
        minute = int(time.time() // 60)
        with self._lock:
            self._minutes.setdefault(minute, MinuteSums()).add(ok, seconds * 1000)

    def flush(self, connection: redis.Redis) -> None:
        """Add the sums to Redis; on a Redis error they are kept for the next flush."""
        with self._lock:
            pending, self._minutes = self._minutes, {}
        try:  # an empty pipeline sends nothing
            pipe = connection.pipeline(transaction=False)
            for minute, sums in pending.items():
                key = KEY.format(minute=minute)
                for name in ("calls", "errors", "slow"):
                    pipe.hincrby(key, name, getattr(sums, name))
                pipe.hincrbyfloat(key, "total_ms", sums.total_ms)
                pipe.expire(key, KEEP_SECONDS)
            pipe.execute()
        except redis.RedisError:
            with self._lock:
                for minute, sums in pending.items():
                    self._minutes.setdefault(minute, sums)


@dataclass(frozen=True)
class ProviderHealth:
    minutes: int
    calls: int
    errors: int
    mean_ms: float | None
    slow: int

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None


def read(connection: redis.Redis, minutes: int = 5) -> ProviderHealth:
    """The sums of the last `minutes` minutes (the current one included)."""
    now = int(time.time() // 60)
    pipe = connection.pipeline(transaction=False)
    for minute in range(now - minutes + 1, now + 1):
        pipe.hgetall(KEY.format(minute=minute))
    total: Counter = Counter()
    for row in pipe.execute():
        total.update({name.decode(): float(value) for name, value in row.items()})
    calls = int(total["calls"])
    mean_ms = total["total_ms"] / calls if calls else None
    return ProviderHealth(minutes, calls, int(total["errors"]), mean_ms, int(total["slow"]))
