"""The soak's end checks on the orders: none lost, none registered twice at the provider.

Read straight from the soak database and the sandbox (never through the fault proxies):

- lost: an order the app said it created that is gone; one it said it sent that is still
  "sending" after the settling time (stuck), or gone; a provider order whose key names an order
  we do not have, or have as a draft (the provider has it, the customer is told it is not sent);
- duplicate: two provider orders or more for one of our orders (the first 36 characters of the
  Idempotency-Key are the order's id).
"""

import time
from collections import defaultdict

from sqlalchemy import create_engine, text

from bench.soak_customers import Ledger
from sandbox.client import SandboxControl


def statuses(engine, order_ids) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id::text, status FROM orders WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": list(order_ids)},
        ).all()
    return dict(rows)


def settle(database_url: str, ledger: Ledger, seconds: float) -> float:
    """Wait until no sent order is still being sent (or `seconds` pass); how long it took."""
    engine = create_engine(database_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            found = statuses(engine, ledger.sent)
            if "sending" not in found.values():
                break
            time.sleep(2)
    finally:
        engine.dispose()
    return time.monotonic() - started


def check_orders(database_url: str, sandbox_url: str, ledger: Ledger) -> dict:
    engine = create_engine(database_url)
    try:
        ours = statuses(engine, ledger.created)
        held = defaultdict(list)
        for order in SandboxControl(sandbox_url, timeout=120).orders():
            if order.get("key"):
                held[order["key"][:36]].append(order["uuid"])
        at_provider = statuses(engine, held)
    finally:
        engine.dispose()
    lost = {
        **{o: "created, then gone" for o in ledger.created if o not in ours},
        **{o: "sent, still sending" for o in ledger.sent if ours.get(o) == "sending"},
        **{o: "at the provider, gone here" for o in held if o not in at_provider},
        **{o: "at the provider, a draft here" for o, s in at_provider.items() if s == "draft"},
    }
    return {
        "created": len(ledger.created),
        "sent": len(ledger.sent),
        "cancelled": len(ledger.cancelled),
        "by_status": count(ours.values()),
        "provider_orders": sum(len(v) for v in held.values()),
        "lost": lost,
        "duplicates": {o: uuids for o, uuids in held.items() if len(uuids) > 1},
    }


def count(values) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for value in values:
        found[value] += 1
    return dict(sorted(found.items()))
