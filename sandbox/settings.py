"""Sandbox knobs: start-up values from flags or env, runtime overrides kept in Redis."""

import os
from dataclasses import dataclass, fields


@dataclass
class SandboxSettings:
    redis_url: str = "redis://127.0.0.1:6379/2"
    prefix: str = "sandbox"
    catalog_token: str = "sandbox-catalog-token"
    order_token: str = "sandbox-order-token"
    catalog_size: int = 45
    page_size: int = 20
    latency_ms: float = 0.0
    processing_seconds: float = 20.0
    error_rate: float = 0.0

    @classmethod
    def from_env(cls, **overrides) -> "SandboxSettings":
        values = {}
        for item in fields(cls):
            raw = os.environ.get(f"SANDBOX_{item.name.upper()}")
            if raw is not None:
                values[item.name] = type(getattr(cls(), item.name))(raw)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


RUNTIME_KNOBS = {
    "latency_ms": float,
    "processing_seconds": float,
    "error_rate": float,
    "catalog_malformed": int,
    "request_log": int,
}
