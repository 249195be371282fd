"""The status sync with webhooks on and off: `python -m bench.webhook_sync_bench [--orders N]`.

The same seeded orders (reset before every run) are synced at the sync's default concurrency,
alternately with no endpoint and with one endpoint of their owner's that asks for every event
type, so that every change writes its outbox row in the sync's transaction and each batch's
commit queues its delivery job. No worker runs: this measures what webhooks cost the sync
itself (deliveries are the worker's, measured by bench/webhook_bench.py). Prints the median
time of each and the throughput kept with webhooks on. See bench/README.md.
"""

import argparse
import logging
import statistics

from sqlalchemy import delete, func, select, text

from app.extensions import db, get_redis
from app.models import User
from app.webhooks.events import ORDER_TYPES
from app.webhooks.models import WebhookEndpoint, WebhookEvent
from app.webhooks.signing import new_secret
from bench import environment
from bench.sync_bench import time_our_sync
from sandbox.client import SandboxControl


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_sync_bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args(argv)


def webhooks(app, on: bool) -> None:
    """One endpoint for the bench user, or none; no events or jobs left from the last run."""
    with app.app_context():
        db.session.execute(text("TRUNCATE webhook_events CASCADE"))
        db.session.execute(delete(WebhookEndpoint))
        if on:
            user_id = db.session.scalar(select(User.id))
            url = "http://127.0.0.1:9/hooks"  # never called: no worker runs
            endpoint = WebhookEndpoint(
                user_id=user_id, url=url, event_types=list(ORDER_TYPES), secret=new_secret()
            )
            db.session.add(endpoint)
        db.session.commit()
        get_redis().delete("rq:queue:webhooks")


def events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WebhookEvent))


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    setup_app = environment.sync_app("http://127.0.0.1:1", args.concurrency, args.orders)
    environment.prepare_database(setup_app)
    seconds: dict[bool, list[float]] = {False: [], True: []}
    with environment.sandbox_processes(args.latency_ms, 4, 32) as url:
        sandbox = SandboxControl(url, timeout=60)
        environment.seed(setup_app, sandbox, args.orders)
        for _ in range(args.repeat):
            for on in (False, True):
                webhooks(setup_app, on)
                timing = time_our_sync(url, args.concurrency, args.orders)
                written = events(setup_app)
                assert written == (args.orders if on else 0), written
                seconds[on].append(timing.seconds)
                state = "on " if on else "off"
                print(f"  webhooks {state}: {timing.seconds:.2f} s, {written} events", flush=True)
    off, on = statistics.median(seconds[False]), statistics.median(seconds[True])
    print(f"{args.orders} orders, concurrency {args.concurrency}, {args.latency_ms} ms latency")
    print(f"webhooks off: median {off:.2f} s ({args.orders / off:.0f} orders/s)")
    print(f"webhooks on:  median {on:.2f} s ({args.orders / on:.0f} orders/s)")
    print(f"throughput kept with webhooks on: {off / on:.1%}")


if __name__ == "__main__":
    main()
