"""Redis and Postgres cut and frozen under the running processes."""

import threading
import time
from datetime import UTC, datetime

import pytest

from tests.chaos.orders import REGISTERED
from tests.chaos.processes import during
from tests.chaos.stack import SETTINGS
from tests.support.waiting import wait_until

INTERVAL = float(SETTINGS["SYNC_INTERVAL_SECONDS"])
STYLED_503_SECONDS = 5.0


def running(stack) -> dict[str, object]:
    """Each process's pid, and gunicorn's workers: a restart would change them."""
    state = {name: process.pid for name, process in stack.processes.items()}
    state["web workers"] = stack["web"].children()
    return state


def all_alive(stack) -> list[str]:
    return [name for name, process in stack.processes.items() if not process.alive()]


def watched_order(stack, customer, orders, services):
    """An order in processing that the provider keeps processing: every sync run checks it."""
    stack.sandbox.set_knobs(processing_seconds=3600)
    [order_id] = orders.place(customer, services, 1)
    return order_id


@pytest.mark.parametrize("fault", ["cut", "freeze"])
def test_a_redis_outage_of_15_seconds(stack, customer, orders, services, fault, recoveries):
    watched = watched_order(stack, customer, orders, services)
    draft = customer.create_order(services[3:5])
    orders.track(draft)
    before = running(stack)

    getattr(stack.redis_proxy, fault)()
    sent = False
    for _ in during(15, every=0.5):
        for path in ("/", f"/orders/{watched}", "/catalog"):
            answer = customer.get(path)
            assert answer.status == 200, (path, answer.status, answer.body[:300])
        if not sent:
            assert customer.send(draft).status == 303
            assert orders.status(draft) == "sending"
            sent = True
    stack.redis_proxy.restore()
    restored = datetime.now(UTC)

    assert all_alive(stack) == [], {n: stack[n].log_tail() for n in all_alive(stack)}
    resumed = wait_until(
        lambda: checked_since(orders, watched, restored), INTERVAL + 2, explain=lambda: "no sync"
    )
    recoveries[f"7. Redis {fault} for 15 s: sync resumed"] = (resumed - restored).total_seconds()
    orders.wait_for([draft], REGISTERED, 30)
    assert running(stack) == before


def checked_since(orders, order_id, moment: datetime) -> datetime | None:
    checked = orders.last_checked(order_id)
    return checked if checked is not None and checked > moment else None


def is_styled_503(answer) -> bool:
    return answer.status == 503 and 'class="card error-page"' in answer.body


def browse(customer, paths, stop: threading.Event, seen: list) -> None:
    while not stop.is_set():
        for path in paths:
            seen.append(customer.get(path))


@pytest.mark.parametrize("fault,seconds", [("cut", 8), ("freeze", 30)])
def test_a_postgres_outage(stack, customer, orders, services, promises, fault, seconds, recoveries):
    promises.allowed_statuses = {503}
    watched = watched_order(stack, customer, orders, services)
    draft = customer.create_order(services[3:5])
    orders.track(draft)
    before = running(stack)
    paths = ["/", f"/orders/{watched}", "/catalog"]
    tabs = [promises.watch_customer(customer.twin()) for _ in range(4)]
    stop, seen = threading.Event(), []
    browsers = [threading.Thread(target=browse, args=(t, paths, stop, seen)) for t in tabs]

    getattr(stack.postgres_proxy, fault)()
    for browser in browsers:
        browser.start()
    for _ in during(seconds, every=1.0):
        assert all(browser.is_alive() for browser in browsers)
    stack.postgres_proxy.restore()
    restored = time.monotonic()
    stop.set()
    for browser in browsers:
        browser.join(timeout=60)

    slow = [(a.path, a.status, round(a.seconds, 1)) for a in seen if a.seconds > STYLED_503_SECONDS]
    assert not slow, f"answers slower than {STYLED_503_SECONDS} s: {slow[:10]}"
    wrong = [(a.path, a.status) for a in seen if a.status != 200 and not is_styled_503(a)]
    assert not wrong, wrong
    assert any(is_styled_503(a) for a in seen)
    wait_until(
        lambda: customer.get("/").status == 200, 30, explain=lambda: "the dashboard to answer again"
    )
    recoveries[f"8. Postgres {fault} for {seconds} s: pages back"] = time.monotonic() - restored
    assert customer.send(draft).status == 303
    orders.wait_for([draft], REGISTERED, 30)
    assert all_alive(stack) == []
    assert running(stack) == before
