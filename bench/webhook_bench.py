"""Webhook delivery benchmark: `python -m bench.webhook_bench [--changes N --endpoints E ...]`.

E accounts with one endpoint each (every order event type), N/E orders each in processing.
The driver moves the orders to done through the state machine at --rate changes a second, in
commits of a tenth of a second's worth (so the outbox and the queueing run as in the sync),
while --workers `python worker.py` processes deliver to local receivers
(bench/webhook_receivers.py),
a tenth of whose endpoints fail their first request. A thread stands in for the scheduler
process and queues the retries when due. The benchmark waits until every event is delivered,
then reports from the receivers' own clocks: every event arrived with a 200, and the delay from
each change (its transaction's start, as the outbox row records it) to its first attempt's
arrival, p50 / p90 / p99 / max. See bench/README.md.
"""

import argparse
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import OrderStatus, User
from app.orders.transitions import bulk_transition
from app.queue import get_webhook_scheduler
from app.webhooks.delivery import requeue_lost
from app.webhooks.events import ORDER_TYPES, TEST, test_data
from app.webhooks.models import WebhookEndpoint, WebhookEvent
from app.webhooks.service import queue_after_commit
from app.webhooks.signing import new_secret
from bench import environment
from bench.webhook_receivers import Receivers
from tests.support.orders import insert_orders

ROOT = environment.ROOT


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_bench", description=__doc__)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=1_000)
    parser.add_argument("--failing", type=float, default=0.1, help="share failing their first try")
    parser.add_argument("--rate", type=float, default=100.0, help="status changes a second")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--receivers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for all")
    return parser.parse_args(argv)


def seed(endpoints: int, changes: int, receivers: Receivers) -> list[uuid.UUID]:
    """One account and endpoint per receiver path, its share of orders in processing."""
    db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
    db.session.commit()
    users = [User(email=f"hooks{n}@example.com", password_hash="-") for n in range(endpoints)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        WebhookEndpoint(
            user_id=user.id,
            url=receivers.url(n),
            event_types=list(ORDER_TYPES),
            secret=new_secret(),
        )
        for n, user in enumerate(users)
    )
    db.session.commit()
    orders = []
    per_user = changes // endpoints
    for user in users:
        orders.extend(order_id for order_id, _ in insert_orders(user.id, per_user))
    # Interleaved, so that each commit of changes spreads over many endpoints.
    return [orders[i] for k in range(per_user) for i in range(k, len(orders), per_user)]


def start_workers(count: int) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": environment.BENCH_DATABASE_URL,
        "REDIS_URL": environment.BENCH_REDIS_URL,
        "WEBHOOK_ALLOW_LOCAL": "1",
        "LOG_LEVEL": "WARNING",
    }
    return [
        subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env)
        for _ in range(count)
    ]


def wait_for_workers(count: int, seconds: float = 120) -> None:
    """Until every worker has loaded the app and listens (each registers itself in Redis)."""
    from rq import Worker

    from app.extensions import get_redis

    deadline = time.monotonic() + seconds
    while len(Worker.all(connection=get_redis())) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)


def warm_up(endpoints: int) -> None:
    """A test event to each endpoint, delivered before the measure starts: the workers open
    their connections to Postgres and the receivers, as long-running workers have them."""
    ids = db.session.scalars(select(WebhookEndpoint.id)).all()
    for start in range(0, len(ids), 100):
        db.session.add_all(
            WebhookEvent(
                id=uuid.uuid4(),
                endpoint_id=endpoint_id,
                user_id=user_id,
                event_type=TEST,
                payload=test_data(),
            )
            for endpoint_id, user_id in db.session.execute(
                select(WebhookEndpoint.id, WebhookEndpoint.user_id).where(
                    WebhookEndpoint.id.in_(ids[start : start + 100])
                )
            )
        )
        db.session.flush()
        added = db.session.scalars(
            select(WebhookEvent.id).where(
                WebhookEvent.state == "pending", WebhookEvent.attempts == 0
            )
        ).all()
        queue_after_commit(list(added))
        db.session.commit()
    wait_for_all(len(ids), 300, TEST)


def run_scheduler(app, stop: threading.Event) -> None:
    """What `scheduler.py` does for webhooks: the retries when due (polling every half second)
    and the sweep every WEBHOOK_SWEEP_SECONDS."""
    with app.app_context():
        scheduler = get_webhook_scheduler()
        sweep_every = app.config["WEBHOOK_SWEEP_SECONDS"]
        next_sweep = time.monotonic() + sweep_every
        while not stop.wait(0.5):
            scheduler.enqueue_jobs()
            if time.monotonic() >= next_sweep:
                requeue_lost()
                next_sweep = time.monotonic() + sweep_every


def drive(orders: list[uuid.UUID], rate: float) -> float:
    """Move the orders to done at `rate` a second, a tenth of a second's worth per commit."""
    per_commit = max(1, round(rate / 10))
    started = time.perf_counter()
    for n, start in enumerate(range(0, len(orders), per_commit)):
        due = started + n / 10
        time.sleep(max(0.0, due - time.perf_counter()))
        batch = orders[start : start + per_commit]
        bulk_transition({oid: (OrderStatus.DONE, None) for oid in batch}, OrderStatus.IN_PROCESSING)
        db.session.commit()
    return time.perf_counter() - started


def wait_for_all(total: int, seconds: float, kind: str | None = None) -> float:
    """Until `total` events (order events, or those of `kind`) are delivered."""
    wanted = WebhookEvent.event_type != TEST if kind is None else WebhookEvent.event_type == kind
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        delivered = db.session.scalar(
            select(func.count()).where(WebhookEvent.state == "delivered", wanted)
        )
        db.session.rollback()
        if delivered >= total:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def report(args, arrivals, created: dict[str, float], drove: float, waited: float) -> None:
    firsts: dict[str, float] = {}
    delivered: set[str] = set()
    failed_first = 0
    for message_id, _, arrived, status in arrivals:
        if message_id not in firsts or arrived < firsts[message_id]:
            firsts[message_id] = arrived
        if status == 200:
            delivered.add(message_id)
        else:
            failed_first += 1
    order = sorted(created, key=created.get)
    delays = [firsts[mid] - created[mid] for mid in order if mid in firsts]
    print(f"changes: {len(created):,} over {args.endpoints:,} endpoints, driven in {drove:.1f} s")
    print(f"delivered (a 200 seen by the receiver): {len(delivered):,} of {len(created):,}")
    print(f"requests: {len(arrivals):,}, of which failed first tries (503): {failed_first:,}")
    print(f"all delivered {waited:.1f} s after the last change")
    shares = {"p50": 0.5, "p90": 0.9, "p99": 0.99}
    figures = [
        f"{name} {percentile(delays, share) * 1000:.0f} ms" for name, share in shares.items()
    ]
    figures += [f"max {max(delays) * 1000:.0f} ms", f"mean {statistics.mean(delays) * 1000:.0f} ms"]
    print("first attempt after its change: " + ", ".join(figures))
    tenth = max(1, len(delays) // 10)
    means = [statistics.mean(delays[i : i + tenth]) * 1000 for i in range(0, len(delays), tenth)]
    print("mean delay by tenth of the run, ms: " + " ".join(f"{m:.0f}" for m in means))


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    app = environment.bench_app(WEBHOOK_ALLOW_LOCAL=1)
    environment.prepare_database(app)
    failing = {n for n in range(args.endpoints) if n % round(1 / args.failing) == 0}
    receivers = Receivers(args.receivers, failing)
    stop = threading.Event()
    workers = []
    try:
        with app.app_context():
            from app.extensions import get_redis

            get_redis().flushdb()
            orders = seed(args.endpoints, args.changes, receivers)
            workers = start_workers(args.workers)
            threading.Thread(target=run_scheduler, args=(app, stop), daemon=True).start()
            wait_for_workers(args.workers)
            warm_up(args.endpoints)
            drove = drive(orders, args.rate)
            waited = wait_for_all(len(orders), args.timeout)
            rows = db.session.execute(
                select(WebhookEvent.id, WebhookEvent.created_at).where(
                    WebhookEvent.event_type != TEST
                )
            ).all()
            created = {f"msg_{eid.hex}": at.timestamp() for eid, at in rows}
        report(args, receivers.arrivals(), created, drove, waited)
    finally:
        stop.set()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        receivers.stop()


if __name__ == "__main__":
    main()
