"""What the status sync's runs share in Redis: the run lock, a pause when the provider asked us
to wait or looked down, since when it is down, and the last fan-out's batch jobs still to run."""

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from app.extensions import get_redis

LOCK_KEY = "sync:lock"
PAUSE_KEY = "sync:paused"
FANOUT_KEY = "sync:fanout"
PROVIDER_DOWN_KEY = "sync:provider-down"

FINISH_BATCH = """
if redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] then return -1 end
local left = redis.call('HINCRBY', KEYS[1], 'left', -1)
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left
"""


@dataclass
class RunLock:
    """The run lock (redis-py's, under a random token that also names the run). A thread keeps
    extending it, so its TTL can be short: a run killed with its worker frees it soon."""

    lock: Lock
    token: str

    @classmethod
    def acquire(cls, ttl: float) -> "RunLock | None":
        lock = get_redis().lock(LOCK_KEY, timeout=ttl, blocking=False, thread_local=False)
        token = secrets.token_hex(16)
        return cls(lock, token) if lock.acquire(token=token) else None

    def extend(self) -> bool:
        """Reset the TTL; False if the lock expired and may belong to another run now."""
        try:
            self.lock.reacquire()
        except LockError:
            return False
        return True

    @contextmanager
    def kept_alive(self) -> Iterator[None]:
        done = threading.Event()
        every = max(0.05, (self.lock.timeout or 30) / 3)

        def beat() -> None:
            while not done.wait(every):
                with suppress(RedisError):
                    if not self.extend():
                        return

        thread = threading.Thread(target=beat, name="sync-lock", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=5)

    def release(self) -> bool:
        """Release if still ours; False if it had expired (the run outlasted its TTL)."""
        try:
            self.lock.release()
        except LockError:
            return False
        return True


def pause(seconds: float, reason: str) -> None:
    if seconds > 0:
        get_redis().set(PAUSE_KEY, reason, px=max(1, int(seconds * 1000)))


def paused_for() -> float:
    left_ms = get_redis().pttl(PAUSE_KEY)
    return left_ms / 1000 if left_ms > 0 else 0.0


def provider_went_down() -> bool:
    """Mark the provider unreachable; True only for the run that noticed it first."""
    return bool(get_redis().set(PROVIDER_DOWN_KEY, time.time(), nx=True, ex=7 * 24 * 3600))


def provider_came_back() -> float | None:
    """Clear the mark; the seconds the provider was unreachable, or None if it was not."""
    since = get_redis().getdel(PROVIDER_DOWN_KEY)
    return None if since is None else time.time() - float(since)


def start_fanout(run_id: str, jobs: int, ttl: float) -> None:
    pipe = get_redis().pipeline()
    pipe.hset(FANOUT_KEY, mapping={"run": run_id, "left": jobs})
    pipe.expire(FANOUT_KEY, max(1, int(ttl)))
    pipe.execute()


def fanout_left() -> int:
    left = get_redis().hget(FANOUT_KEY, "left")
    return max(0, int(left)) if left is not None else 0


def finish_fanout_batch(run_id: str) -> int:
    """Count one batch job of `run_id` done; a straggler of an older run changes nothing."""
    return int(get_redis().eval(FINISH_BATCH, 1, FANOUT_KEY, run_id))
