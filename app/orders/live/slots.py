"""Per-user stream slots, shared by every web process through Redis.

Each user has a sorted set of the streams they hold: member = the stream's token, score = when
its lease runs out. Opening a stream drops expired leases and takes a slot if fewer than the cap
are held, in one script (atomic across processes). A closing stream gives its slot back at
once; the hub renews the leases of the streams it serves, so only a process that died leaves
slots behind, and only until their leases run out.
"""

import time
import uuid
from dataclasses import dataclass

import redis
from flask import current_app

from app.extensions import get_redis

TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


def slots_key(user_id: int) -> str:
    return f"{current_app.config['LIVE_CHANNEL_PREFIX']}live:slots:user:{user_id}"


def lease_seconds() -> int:
    return current_app.config["LIVE_SLOT_LEASE_SECONDS"]


@dataclass(frozen=True)
class Slot:
    """A stream's place among its user's; usable outside the request (the stream outlives it)."""

    key: str
    token: str
    client: redis.Redis

    def give_back(self) -> None:
        self.client.zrem(self.key, self.token)


def take_slot(user_id: int) -> Slot | None:
    """A slot for a new stream of this user, or None when they hold the most allowed.
    Raises redis.RedisError when Redis cannot be asked."""
    slot = Slot(slots_key(user_id), uuid.uuid4().hex, get_redis())
    now, lease = time.time(), lease_seconds()
    cap = current_app.config["LIVE_STREAMS_PER_USER"]
    taken = slot.client.eval(TAKE_SLOT, 1, slot.key, now, cap, now + lease, slot.token, lease)
    return slot if taken else None


def renew(slots: list[Slot]) -> None:
    """Extend the leases of the slots still being served, in one round trip."""
    if not slots:
        return
    until = time.time() + lease_seconds()
    pipe = get_redis().pipeline(transaction=False)
    for slot in slots:
        pipe.zadd(slot.key, {slot.token: until}, xx=True)
        pipe.expire(slot.key, lease_seconds())
    pipe.execute()
