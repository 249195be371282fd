"""Measuring beside a load, each in a process of its own so the load's event loop does not
delay it: an active customer's dashboard at a steady pace, and status changes at a steady rate
(committed as the sync commits them, and published by the app after the commit). The times
are `time.monotonic()`, one clock for every process of the machine.
"""

import multiprocessing
import random
import time

import requests

from bench.soak_data import USER_AGENT


def dashboard_probe(url: str, trust: str, cookie: str, rate: float, seconds: float, out) -> None:
    """GET the dashboard `rate` times a second for `seconds` over one kept-alive connection,
    as a customer's browser (trusting the certificate in the file `trust`) does; put (status,
    milliseconds) pairs on `out`."""
    session = requests.Session()
    session.headers.update({"Cookie": cookie, "User-Agent": USER_AGENT})
    results, ends = [], time.monotonic() + seconds
    next_at = time.monotonic()
    while next_at < ends:
        time.sleep(max(0.0, next_at - time.monotonic()))
        started = time.perf_counter()
        try:
            status = session.get(url + "/", timeout=30, verify=trust).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        results.append((status, 1000 * (time.perf_counter() - started)))
        next_at += 1 / rate
    out.put(results)


def changes(app_factory, pending: dict, rate: float, seconds: float, out) -> None:
    """Status changes through the app's state machine at `rate` a second: each on the next
    order in processing of a random customer of `pending` ({user index: [order ids]}); put
    {order id: (user index, monotonic time just before the commit)} on `out`."""
    from app.extensions import db
    from app.models import OrderStatus
    from app.orders.transitions import transition

    app, made = app_factory(), {}
    users = [u for u, ids in pending.items() if ids]
    with app.app_context():
        next_at, ends = time.monotonic(), time.monotonic() + seconds
        while next_at < ends and users:
            time.sleep(max(0.0, next_at - time.monotonic()))
            user = random.choice(users)
            order_id = pending[user].pop()
            users = [u for u in users if pending[u]] if not pending[user] else users
            transition(order_id, OrderStatus.IN_PROCESSING, OrderStatus.DONE, "bench")
            made[str(order_id)] = (user, time.monotonic())
            db.session.commit()  # and the live module publishes it
            next_at += 1 / rate
    out.put(made)


class Beside:
    """A probe in a process of its own (spawned: nothing of this process's loop is copied)."""

    def __init__(self, target, *args):
        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue()
        self.process = context.Process(target=target, args=(*args, self.queue), daemon=True)

    def start(self) -> "Beside":
        self.process.start()
        return self

    def result(self, timeout: float):
        found = self.queue.get(timeout=timeout)
        self.process.join(timeout=10)
        return found
