"""The promises every chaos test checks, whatever the fault: no order lost, no order registered
twice at the provider, no order shown as a draft (or deleted) while the provider has it, no
Idempotency-Key reused for other content (the provider's 422), and no 5xx page the test did
not ask for. A background thread samples both sides while the fault
plays out, so a promise broken for a moment is caught too."""

import threading
import uuid
from collections import defaultdict

from sqlalchemy import text

from tests.chaos.customer import Customer

SAMPLE_SECONDS = 0.1


class Promises:
    def __init__(self, engine, sandbox):
        self.engine = engine
        self.sandbox = sandbox
        self.orders: set[uuid.UUID] = set()
        self.customers: list[Customer] = []
        self.allowed_statuses: set[int] = set()
        self.broken: dict[tuple[str, str], str] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.watch, name="promises", daemon=True)

    def track(self, *order_ids: uuid.UUID) -> None:
        self.orders.update(order_ids)

    def watch_customer(self, customer: Customer) -> Customer:
        self.customers.append(customer)
        return customer

    def provider_orders(self) -> dict[str, list[dict]]:
        """The provider's orders by our order id (the first part of their idempotency key)."""
        held = defaultdict(list)
        for order in self.sandbox.orders():
            if order.get("key"):
                held[order["key"][:36]].append(order)
        return held

    def local_statuses(self, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, status FROM orders WHERE id = ANY(:ids)"), {"ids": order_ids}
            ).all()
        return {row.id: row.status for row in rows}

    def sample(self) -> None:
        order_ids = list(self.orders)  # the test may add one meanwhile
        if not order_ids:
            return
        local, held = self.local_statuses(order_ids), self.provider_orders()
        for order_id in order_ids:
            status, at_provider = local.get(order_id), held.get(str(order_id), [])
            if status is None:
                self.break_promise("lost", order_id, "the order is gone from the database")
            if len(at_provider) > 1:
                self.break_promise("duplicate", order_id, f"{len(at_provider)} provider orders")
            if at_provider and status in (None, "draft"):
                self.break_promise(
                    "shown as draft", order_id, f"{status or 'deleted'} while the provider has it"
                )

    def break_promise(self, kind: str, order_id: uuid.UUID, detail: str) -> None:
        self.broken.setdefault((kind, str(order_id)), f"{kind}: order {order_id}: {detail}")

    def watch(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.sample()

    def __enter__(self) -> "Promises":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    def assert_no_broken_promise(self) -> None:
        assert not self.broken, "\n".join(self.broken.values())

    def assert_kept(self) -> None:
        self.sample()
        self.assert_no_broken_promise()
        conflicts = self.sandbox.stats()["key_conflicts"]
        assert conflicts == 0, f"{conflicts} registrations reused a key for other content"
        errors = [
            f"{a.method} {a.path} -> {a.status}"
            for customer in self.customers
            for a in customer.server_errors()
            if a.status not in self.allowed_statuses
        ]
        assert not errors, "5xx pages: " + ", ".join(errors[:10])
