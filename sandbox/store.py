"""The sandbox's shared state in Redis, so several server processes agree."""

import json
import time
import uuid

import redis

from sandbox.settings import RUNTIME_KNOBS, SandboxSettings

ENDPOINTS = ("catalog", "order_create", "order_state")


class SandboxStore:
    def __init__(self, settings: SandboxSettings):
        self.settings = settings
        self.redis = redis.Redis.from_url(settings.redis_url, decode_responses=True)
        self.prefix = settings.prefix

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def begin_request(self, endpoint: str) -> tuple[dict, dict | None]:
        """Count the request; return the runtime knobs and the next queued fault, if any."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hincrby(self.key("counts"), endpoint, 1)
        pipe.hgetall(self.key("knobs"))
        pipe.lpop(self.key("faults", endpoint))
        _, knobs, fault = pipe.execute()
        parsed = {
            name: RUNTIME_KNOBS[name](value)
            for name, value in knobs.items()
            if name in RUNTIME_KNOBS
        }
        return parsed, json.loads(fault) if fault else None

    def counts(self) -> dict:
        counts = {name: 0 for name in (*ENDPOINTS, "orders_registered", "idempotent_replays")}
        counts.update({k: int(v) for k, v in self.redis.hgetall(self.key("counts")).items()})
        return counts

    def set_knobs(self, knobs: dict) -> None:
        clean = {
            name: RUNTIME_KNOBS[name](value)
            for name, value in knobs.items()
            if name in RUNTIME_KNOBS
        }
        if clean:
            self.redis.hset(self.key("knobs"), mapping=clean)

    def add_faults(self, endpoint: str, faults: list[dict]) -> None:
        if faults:
            self.redis.rpush(self.key("faults", endpoint), *map(json.dumps, faults))

    def reset(self) -> None:
        keys = list(self.redis.scan_iter(match=f"{self.prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            self.redis.delete(*keys[start : start + 1000])

    def register(self, idempotency_key: str | None, order: dict) -> str:
        """Store a new order, or return the uuid already given for this idempotency key."""
        new_uuid = str(uuid.uuid4())
        if idempotency_key:
            idem = self.key("idem", idempotency_key)
            if not self.redis.set(idem, new_uuid, nx=True):
                self.redis.hincrby(self.key("counts"), "idempotent_replays", 1)
                return self.redis.get(idem)
        self.save_orders({new_uuid: order})
        return new_uuid

    def save_orders(self, orders: dict[str, dict]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for order_uuid, order in orders.items():
            record = {"created": time.time(), "services": json.dumps(order.get("services", []))}
            if order.get("state"):
                record["forced_state"] = order["state"]
            pipe.hset(self.key("order", order_uuid), mapping=record)
        pipe.hincrby(self.key("counts"), "orders_registered", len(orders))
        pipe.execute()

    def order(self, order_uuid: str) -> dict | None:
        return self.redis.hgetall(self.key("order", order_uuid)) or None

    def force_state(self, order_uuid: str, state: str) -> bool:
        key = self.key("order", order_uuid)
        if not self.redis.exists(key):
            return False
        self.redis.hset(key, "forced_state", state)
        return True
