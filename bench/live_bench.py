"""Live updates for many open tabs: `python -m bench.live_bench [--streams 1000 --users 100]`.

Starts the web app as the Procfile does (or the commands given) twice: the web process that
serves the streams and a twin that serves none. Opens N event streams for M users (N / M tabs
each), makes status changes through the app's own state machine for `--hold` seconds while
they are open, and meanwhile measures the dashboard of both processes in turns. Prints the
delivery latency percentiles, the throughput with the streams as a share of the twin's, the
per-user cap, how soon a closed tab's slot is free, and the workers' memory. See
bench/README.md.
"""

import argparse
import asyncio
import random
import statistics
import threading
import time
from contextlib import ExitStack

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.transitions import transition
from bench import web_data
from bench.machine import describe_machine
from bench.sse_client import Deliveries, Stream, start, stop
from bench.web_data import RESULTS
from bench.wrk import run_wrk
from tests.support.processes import closed_port
from tests.support.web_process import serve, web_command


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.live_bench", description=__doc__)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--hold", type=float, default=300, help="seconds of changes")
    parser.add_argument("--changes-per-second", type=float, default=5)
    parser.add_argument("--orders", type=int, default=200, help="in processing, per user")
    parser.add_argument("--seconds", type=float, default=8, help="per dashboard load")
    parser.add_argument("--rounds", type=int, default=3, help="dashboard comparisons")
    parser.add_argument("--web", help="a web command line instead of the Procfile's")
    parser.add_argument("--stream-web", help="a separate process serving only the streams")
    return parser.parse_args(argv)


def dashboard_load(url: str, cookie: str, seconds: float):
    """wrk on the dashboard (after a second's warm-up), 16 connections, from the browser the
    user logged in with."""
    headers = {"Cookie": cookie, "User-Agent": web_data.USER_AGENT}
    run_wrk("warm-up", url + "/", 16, 1, headers)
    return run_wrk("dashboard page 1, full page", url + "/", 16, seconds, headers)


class Changes(threading.Thread):
    """Status changes made as the sync makes them (guarded transition, commit, published after
    the commit), at a steady rate, each on a random user's next order in processing. A delivery's
    latency counts from just before the commit."""

    def __init__(self, user_ids: list[int], rate: float, seconds: float, deliveries, streams):
        super().__init__(daemon=True)
        self.user_ids, self.rate, self.seconds = user_ids, rate, seconds
        self.deliveries, self.streams = deliveries, streams
        self.expected = 0

    def open_streams_of(self, index: int) -> int:
        return sum(1 for s in self.streams if s.user == index and s.status == 200)

    def run(self) -> None:
        app = web_data.web_app()
        with app.app_context():
            pending = {
                uid: list(db.session.scalars(db.select(Order.id).filter_by(user_id=uid)))
                for uid in self.user_ids
            }
            deadline = time.monotonic() + self.seconds
            while time.monotonic() < deadline:
                index = random.randrange(len(self.user_ids))
                order_id = pending[self.user_ids[index]].pop()
                transition(order_id, OrderStatus.IN_PROCESSING, OrderStatus.DONE, "bench")
                self.deliveries.made[str(order_id)] = time.monotonic()
                self.expected += self.open_streams_of(index)
                db.session.commit()  # and the live module publishes the change
                time.sleep(1 / self.rate)


async def open_all(url: str, streams: list[Stream], deliveries, timeout: float = 180) -> float:
    started = time.monotonic()
    for stream in streams:
        start(url, stream, deliveries)
    await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in streams)), timeout)
    return time.monotonic() - started


async def slot_check(url: str, streams: list[Stream], deliveries, cookie: str) -> str:
    """One tab more for user 0 (refused at the cap?), then one of theirs closes: how long until
    a new tab gets a stream."""
    extra = start(url, Stream(0, cookie), deliveries)
    await extra.opened.wait()
    await stop(extra)
    mine = [s for s in streams if s.user == 0 and s.status == 200]
    if not mine:
        return f"an extra tab got {extra.status}; user 0 holds no stream to close"
    await stop(mine[0])
    streams.remove(mine[0])
    closed = time.monotonic()
    while time.monotonic() - closed < 30:
        again = start(url, Stream(0, cookie), deliveries)
        await again.opened.wait()
        if again.status == 200:
            streams.append(again)
            return (
                f"user 0 at {len(mine)} streams: one more tab got {extra.status}; after one tab "
                f"closed, a new tab got a stream {1000 * (time.monotonic() - closed):.0f} ms later"
            )
        await stop(again)
        await asyncio.sleep(0.05)
    return f"one more tab got {extra.status}; no slot came free within 30 s of a tab closing"


def percentiles(values: list[float]) -> str:
    if not values:
        return "none delivered"
    ordered = sorted(values)

    def at(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return f"p50 {at(0.5):.0f} ms, p90 {at(0.9):.0f} ms, p99 {at(0.99):.0f} ms, max {at(1):.0f} ms"


async def compare_dashboards(args, urls: dict, cookie: str) -> list[float]:
    """The dashboard of the web process serving the streams and of its twin serving none,
    measured in turns, so the machine's load falls on both alike; the ratios, per round."""
    ratios = []
    for round_number in range(args.rounds):
        quiet = await asyncio.to_thread(dashboard_load, urls["twin"], cookie, args.seconds)
        busy = await asyncio.to_thread(dashboard_load, urls["web"], cookie, args.seconds)
        ratios.append(busy.rate / quiet.rate)
        print(
            f"  round {round_number + 1}: with the streams {busy.rate:6.0f} req/s "
            f"(p99 {busy.p99_ms:.0f} ms), twin without {quiet.rate:6.0f} req/s "
            f"(p99 {quiet.p99_ms:.0f} ms): {ratios[-1]:.0%}",
            flush=True,
        )
    return ratios


async def run(args, urls: dict, cookies: list[str], user_ids, servers) -> None:
    deliveries = Deliveries()
    per_user = args.streams // args.users
    streams = [Stream(u, cookies[u]) for u in range(args.users) for _ in range(per_user)]
    took = await open_all(urls["streams"], streams, deliveries)
    opened = sum(s.status == 200 for s in streams)
    codes = sorted({s.status for s in streams})
    refused = sum(s.refusals for s in streams)
    print(
        f"streams: {opened} of {len(streams)} open after {took:.1f} s (answers {codes}; "
        f"{refused} 503s on the way, each asked again after a back-off, as the page does)"
    )
    print(await slot_check(urls["streams"], streams, deliveries, cookies[0]), flush=True)
    changes = Changes(user_ids, args.changes_per_second, args.hold, deliveries, streams)
    changes.start()
    print(f"dashboard throughput while {opened} streams are open (16 connections):")
    ratios = await compare_dashboards(args, urls, cookies[0])
    await asyncio.to_thread(changes.join)
    await asyncio.sleep(2)
    memory = {name: server.memory_mb() for name, server in servers.items()}
    reconnects = sum(s.reconnects for s in streams)
    await asyncio.gather(*(stop(s) for s in streams))
    print(f"  median {statistics.median(ratios):.0%} ({min(ratios):.0%}-{max(ratios):.0%})")
    print(
        f"deliveries: {len(deliveries.latencies)} of {changes.expected} expected "
        f"({len(deliveries.made)} changes, {reconnects} reconnects); "
        f"latency {percentiles(deliveries.latencies)}"
    )
    for name, figures in memory.items():
        print(f"{name} workers: {figures['rss']:.0f} MB resident, {figures['peak']:.0f} MB peak")


def main(argv=None) -> None:
    args = parse_args(argv)
    print(describe_machine("Live updates"))
    per_user = args.streams // args.users
    user_ids = web_data.prepare(args.users, args.orders, (OrderStatus.IN_PROCESSING,))
    print(
        f"{args.users} users x {per_user} tabs, {args.changes_per_second:g} changes/s for "
        f"{args.hold:g} s"
    )
    env = web_data.app_environment()
    commands = {
        "web": web_command(closed_port(), command=args.web),
        "twin": web_command(closed_port(), command=args.web),
    }
    if args.stream_web:
        commands["streams"] = web_command(closed_port(), command=args.stream_web)
    with ExitStack() as stack:
        servers = {}
        for name, command in commands.items():
            print(f"{name}:", " ".join(command))
            servers[name] = stack.enter_context(serve(command, env, f"live-bench-{name}", RESULTS))
        urls = {name: server.url for name, server in servers.items()}
        urls["streams"] = urls.get("streams", urls["web"]) + "/orders/events"
        cookies = [web_data.session_cookie(urls["web"], n) for n in range(args.users)]
        asyncio.run(run(args, urls, cookies, user_ids, servers))
    print(describe_machine("done"))


if __name__ == "__main__":
    main()
