"""Per-user stream slots shared by every web process: a Redis sorted set of stream tokens scored
by lease end. The hub renews its streams' leases, so a dead process's slots expire soon."""

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


@dataclass(frozen=True)
class Slot:
    """A stream's place among its user's; usable outside the request (the stream outlives it)."""

    key: str
    token: str
    client: redis.Redis

    def give_back(self) -> None:
        self.client.zrem(self.key, self.token)


def take_slot(user_id: int) -> Slot | None:
    """A slot for a new stream of this user, or None when they hold the most allowed; taken in
    one script (atomic across processes) that first drops expired leases. Raises RedisError."""
    slot = Slot(slots_key(user_id), uuid.uuid4().hex, get_redis())
    now, lease = time.time(), current_app.config["LIVE_SLOT_LEASE_SECONDS"]
    cap = current_app.config["LIVE_STREAMS_PER_USER"]
    taken = slot.client.eval(TAKE_SLOT, 1, slot.key, now, cap, now + lease, slot.token, lease)
    return slot if taken else None


def renew(slots: list[Slot]) -> None:
    if not slots:
        return
    lease = current_app.config["LIVE_SLOT_LEASE_SECONDS"]
    until = time.time() + lease
    pipe = get_redis().pipeline(transaction=False)
    for slot in slots:
        pipe.zadd(slot.key, {slot.token: until}, xx=True)
        pipe.expire(slot.key, lease)
    pipe.execute()
