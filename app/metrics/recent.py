"""The provider's recent error rate and latency, for the operators' health page.

Prometheus keeps totals since each process started; the health page wants the last few
minutes across every process. Each process adds its calls up per minute in memory (the sync's
request threads call `record` hundreds of times a second, so no Redis round trip there) and
`flush` moves the sums into one Redis hash per minute, which every process shares.
"""

import threading
import time
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
        if not pending:
            return
        try:
            write(connection, pending)
        except redis.RedisError:
            with self._lock:
                for minute, sums in pending.items():
                    self._minutes.setdefault(minute, sums)


def write(connection: redis.Redis, pending: dict[int, MinuteSums]) -> None:
    pipe = connection.pipeline(transaction=False)
    for minute, sums in pending.items():
        key = KEY.format(minute=minute)
        pipe.hincrby(key, "calls", sums.calls)
        pipe.hincrby(key, "errors", sums.errors)
        pipe.hincrby(key, "slow", sums.slow)
        pipe.hincrbyfloat(key, "total_ms", sums.total_ms)
        pipe.expire(key, KEEP_SECONDS)
    pipe.execute()


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
    rows = [{k.decode(): float(v) for k, v in row.items()} for row in pipe.execute()]
    calls = int(sum(row.get("calls", 0) for row in rows))
    total_ms = sum(row.get("total_ms", 0) for row in rows)
    return ProviderHealth(
        minutes=minutes,
        calls=calls,
        errors=int(sum(row.get("errors", 0) for row in rows)),
        mean_ms=total_ms / calls if calls else None,
        slow=int(sum(row.get("slow", 0) for row in rows)),
    )
