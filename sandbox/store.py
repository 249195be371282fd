"""The sandbox's shared state in Redis, so several server processes agree."""

import hashlib
import json
import time
import uuid
from dataclasses import dataclass

import redis

from sandbox.settings import RUNTIME_KNOBS, SandboxSettings

ENDPOINTS = ("catalog", "order_create", "order_state")
REQUEST_LOG_LENGTH = 2000
HOLD_AT_MOST_SECONDS = 60  # a test that never lets a held request go does not hang the server


@dataclass(frozen=True)
class Registration:
    """What a registration request got: the order's uuid (None on a key conflict), and whether
    the key had been used before (a replay answers with the first order's uuid)."""

    uuid: str | None
    replayed: bool = False


def fingerprint(payload: dict) -> str:
    """The same digest for the same parameters, whatever their order."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class SandboxStore:
    def __init__(self, settings: SandboxSettings):
        self.settings = settings
        self.redis = redis.Redis.from_url(settings.redis_url, decode_responses=True)
        self.prefix = settings.prefix

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def begin_request(self, endpoint: str) -> tuple[dict, dict | None, bool]:
        """Count the request; return the runtime knobs, the next queued fault, if any, and
        whether the endpoint is held (see `hold`)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hincrby(self.key("counts"), endpoint, 1)
        pipe.hgetall(self.key("knobs"))
        pipe.lpop(self.key("faults", endpoint))
        pipe.exists(self.key("hold", endpoint))
        _, knobs, fault, held = pipe.execute()
        parsed = {
            name: RUNTIME_KNOBS[name](value)
            for name, value in knobs.items()
            if name in RUNTIME_KNOBS
        }
        return parsed, json.loads(fault) if fault else None, bool(held)

    def log_request(self, endpoint: str, entry: dict) -> None:
        """Keep the latest requests of an endpoint (only while the `request_log` knob is on)."""
        key = self.key("requests", endpoint)
        pipe = self.redis.pipeline(transaction=False)
        pipe.rpush(key, json.dumps(entry))
        pipe.ltrim(key, -REQUEST_LOG_LENGTH, -1)
        pipe.execute()

    def requests(self, endpoint: str) -> list[dict]:
        entries = self.redis.lrange(self.key("requests", endpoint), 0, -1)
        return [json.loads(entry) for entry in entries]

    def counts(self) -> dict:
        names = (*ENDPOINTS, "orders_registered", "idempotent_replays", "key_conflicts")
        counts = {name: 0 for name in names}
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

    def hold(self, endpoint: str) -> None:
        """From now on the endpoint's requests wait, unanswered, until `release`."""
        self.redis.set(self.key("hold", endpoint), 1)

    def release(self, endpoint: str) -> None:
        self.redis.delete(self.key("hold", endpoint))

    def wait_while_held(self, endpoint: str) -> None:
        """Until the endpoint is released (or HOLD_AT_MOST_SECONDS have passed)."""
        key, deadline = self.key("hold", endpoint), time.monotonic() + HOLD_AT_MOST_SECONDS
        while self.redis.exists(key) and time.monotonic() < deadline:
            time.sleep(0.01)

    def reset(self) -> None:
        keys = list(self.redis.scan_iter(match=f"{self.prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            self.redis.delete(*keys[start : start + 1000])

    def replay(self, idempotency_key: str | None, payload: dict) -> Registration | None:
        """The earlier answer for this key, if it was used: the same order for the same
        parameters, a conflict (uuid None, counted) for different ones."""
        if not idempotency_key:
            return None
        stored = self.redis.get(self.key("idem", idempotency_key))
        return None if stored is None else self.compare(stored, payload)

    def compare(self, stored: str, payload: dict) -> Registration:
        first = json.loads(stored)
        if first["fingerprint"] == fingerprint(payload):
            self.redis.hincrby(self.key("counts"), "idempotent_replays", 1)
            return Registration(first["uuid"], replayed=True)
        self.redis.hincrby(self.key("counts"), "key_conflicts", 1)
        return Registration(None, replayed=True)

    def register(self, idempotency_key: str | None, payload: dict, order: dict) -> Registration:
        """Store a new order under a fresh uuid, unless the key was taken meanwhile."""
        new_uuid = str(uuid.uuid4())
        if idempotency_key:
            stored = json.dumps({"uuid": new_uuid, "fingerprint": fingerprint(payload)})
            idem = self.key("idem", idempotency_key)
            if not self.redis.set(idem, stored, nx=True):
                return self.compare(self.redis.get(idem), payload)
        self.save_orders({new_uuid: {**order, "key": idempotency_key}})
        return Registration(new_uuid)

    def save_orders(self, orders: dict[str, dict]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for order_uuid, order in orders.items():
            record = {"created": time.time(), "services": json.dumps(order.get("services", []))}
            if order.get("key"):
                record["key"] = order["key"]
            if order.get("state"):
                record["forced_state"] = order["state"]
            pipe.hset(self.key("order", order_uuid), mapping=record)
        pipe.hincrby(self.key("counts"), "orders_registered", len(orders))
        pipe.execute()

    def order(self, order_uuid: str) -> dict | None:
        return self.redis.hgetall(self.key("order", order_uuid)) or None

    def orders(self) -> list[dict]:
        """Every order with its uuid, services and idempotency key (tests; not for big data)."""
        found = []
        for key in self.redis.scan_iter(match=self.key("order", "*"), count=1000):
            record = self.redis.hgetall(key)
            found.append(
                {
                    "uuid": key.rsplit(":", 1)[-1],
                    "key": record.get("key"),
                    "services": json.loads(record.get("services", "[]")),
                }
            )
        return found

    def force_state(self, order_uuid: str, state: str) -> bool:
        key = self.key("order", order_uuid)
        if not self.redis.exists(key):
            return False
        self.redis.hset(key, "forced_state", state)
        return True
