"""The chaos tests' view of the orders table, read directly (never through a proxy)."""

import time
import uuid

from sqlalchemy import text

from tests.chaos.promises import Promises
from tests.support.waiting import wait_until

# An order the provider has: in processing, or already done (the sandbox finishes orders a
# couple of seconds after taking them, so a slow poll may meet it done).
REGISTERED = ("in_processing", "done")


class OrderBook:
    def __init__(self, engine, promises: Promises):
        self.engine = engine
        self.promises = promises

    def track(self, *order_ids: uuid.UUID) -> None:
        self.promises.track(*order_ids)

    def row(self, order_id: uuid.UUID):
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT * FROM orders WHERE id = :id"), {"id": order_id}).one()

    def status(self, order_id: uuid.UUID) -> str:
        return self.row(order_id).status

    def statuses(self, order_ids) -> dict[uuid.UUID, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, status FROM orders WHERE id = ANY(:ids)"), {"ids": list(order_ids)}
            ).all()
        return {row.id: row.status for row in rows}

    def events(self, order_id: uuid.UUID) -> list[tuple[str | None, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT from_status, to_status FROM order_events"
                    " WHERE order_id = :id ORDER BY id"
                ),
                {"id": order_id},
            ).all()
        return [(row.from_status, row.to_status) for row in rows]

    def wait_for(self, order_ids, status: str | tuple[str, ...], timeout: float) -> float:
        """Wait until every order is in `status` (or one of them); returns the seconds it
        took."""
        order_ids = list(order_ids)
        started = time.monotonic()
        try:
            wait_until(lambda: self.all_in(order_ids, status), timeout, step=0.1)
        except AssertionError as error:
            now = sorted(self.statuses(order_ids).values())
            raise AssertionError(f"{len(order_ids)} order(s) not {status}: {now}") from error
        return time.monotonic() - started

    def all_in(self, order_ids: list[uuid.UUID], status: str | tuple[str, ...]) -> bool:
        """Every order in `status` (or one of them); fails at once if a promise was broken."""
        self.promises.assert_no_broken_promise()
        found = self.statuses(order_ids)
        wanted = {status} if isinstance(status, str) else set(status)
        return len(found) == len(order_ids) and set(found.values()) <= wanted

    def place(self, customer, services: list[str], count: int) -> list[uuid.UUID]:
        """`count` orders sent through the app by the customer, each now registered."""
        order_ids = [customer.create_order(services[i % 7 : i % 7 + 2]) for i in range(count)]
        self.track(*order_ids)
        for order_id in order_ids:
            assert customer.send(order_id).status == 303
        self.wait_for(order_ids, REGISTERED, 60)
        return order_ids

    def insert_processing(self, email: str, count: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """`count` orders put straight into processing: (order id, provider's uuid) pairs."""
        pairs = [(uuid.uuid4(), uuid.uuid4()) for _ in range(count)]
        with self.engine.begin() as conn:
            user_id = conn.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})
            conn.execute(
                text(
                    "INSERT INTO orders (id, user_id, status, external_uuid, price, tax, gross)"
                    " VALUES (:id, :user_id, 'in_processing', :ext, 0, 0, 0)"
                ),
                [{"id": oid, "user_id": user_id, "ext": ext} for oid, ext in pairs],
            )
        return pairs

    def last_checked(self, order_id: uuid.UUID):
        return self.row(order_id).last_checked_at
