"""Open dashboard tabs through the front: `python -m bench.tabs_bench --tabs 10000`.

Customers × 10 tabs, each a logged-in live stream over HTTPS through nginx, from a cold start
of the web hosts. For each number of tabs asked (`--tabs 2000 5000 10000`, a ladder, smallest
first) it measures:

- how long until every stream is open (target: 60 s);
- with `--changes-per-second` (20) status changes committed as the sync commits them, the push
  latency from just before the commit to the event's arrival in each of the customer's tabs
  (target: p99 1 s), and how many of the expected events arrived;
- an active customer's dashboard (one of the customers with 10 tabs open, 5 requests a second
  over a kept-alive connection) while it all runs (target: p99 50 ms);
- the web processes' resident memory before and after the streams opened, per open stream
  (and nginx's);
- a profile: the CPU share of each process (the benchmark's own client included), the machine's
  busy share, the open files against their limit, the memory left.

The largest number that met every target is printed at the end. The changes and the
dashboard run in processes of their own, so the client's event loop does not delay them.
See bench/README.md.
"""

import argparse
import asyncio
import functools
import json
import math
import os
import resource
import time
from collections import Counter
from dataclasses import dataclass, field

import redis
from sqlalchemy import text

from app.extensions import db
from bench.machine import describe_machine
from bench.probes import Beside, changes, dashboard_probe
from bench.proc_stats import Profile, role, usage
from bench.soak_data import (
    DATABASE_URL,
    REDIS_URL,
    SANDBOX_REDIS_URL,
    mint_cookies,
    prepare,
    seed_customers,
    soak_app,
)
from bench.soak_stack import Ports, SoakOptions, SoakStack
from bench.sse_client import Deliveries, Stream, start, stop

HOSTS = ("web-1", "web-2")
TARGETS = {"open_s": 60.0, "push_p99_ms": 1000.0, "dashboard_p99_ms": 50.0, "delivered": 0.999}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.tabs_bench", description=__doc__)
    parser.add_argument("--tabs", type=int, nargs="+", default=[10000], help="a ladder")
    parser.add_argument("--tabs-per-customer", type=int, default=10)
    parser.add_argument("--changes-per-second", type=float, default=20)
    parser.add_argument("--hold", type=float, default=60, help="seconds of changes per step")
    parser.add_argument("--dashboard-rate", type=float, default=5, help="requests a second")
    parser.add_argument("--web-concurrency", type=int, default=2, help="processes per host")
    parser.add_argument("--worker-connections", type=int, default=0, help="0: fit the tabs")
    parser.add_argument("--port-base", type=int, default=8300)
    parser.add_argument("--keep-going", action="store_true", help="past a step that missed")
    return parser.parse_args(argv)


@dataclass
class Arrivals(Deliveries):
    """Each event's order and arrival time; matched with the changes at the end."""

    arrivals: list = field(default_factory=list)

    def received(self, data: str) -> None:
        self.arrivals.append((json.loads(data)["order_id"], time.monotonic()))


def raise_fd_limit() -> int:
    """This process and the servers it starts may open as many files as the system allows."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def stack_options(args, max_tabs: int) -> SoakOptions:
    """The stack as `make stack` runs it, with what this many streams need: each web process's
    share of the streams (nginx's round robin is not quite even) as its stream cap and its
    gevent connections, and nginx's connections for two per stream (client and upstream)."""
    processes = len(HOSTS) * args.web_concurrency
    per_process = math.ceil(max_tabs / processes * 1.25) + 100
    connections = args.worker_connections or max(2000, per_process + 200)
    return SoakOptions(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        sandbox_redis_url=SANDBOX_REDIS_URL,
        ports=Ports(args.port_base),
        web_concurrency=args.web_concurrency,
        nginx_connections=max(4096, 2 * max_tabs + 1024),
        jobs=False,
        app_env={
            "LIVE_MAX_STREAMS": str(per_process),
            "GUNICORN_CMD_ARGS": f"--worker-connections {connections}",
        },
    )


def pending_orders(app, user_ids: list[int]) -> dict[int, list]:
    """Each customer's orders in processing, by the customer's index."""
    index = {user_id: n for n, user_id in enumerate(user_ids)}
    with app.app_context():
        rows = db.session.execute(
            text("SELECT user_id, id FROM orders WHERE status = 'in_processing' ORDER BY id")
        ).all()
    found: dict[int, list] = {n: [] for n in index.values()}
    for user_id, order_id in rows:
        found[index[user_id]].append(order_id)
    return found


def free_slots(prefix: str) -> int:
    """Forget every customer's stream slots (the app's leases in Redis), so each step starts
    cold: the streams of the step before, cut by the restart, would hold theirs for a lease."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}live:slots:user:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else math.nan


def web_rss(stack: SoakStack) -> float:
    return sum(u.rss_mb for pid in stack.web_pids().values() if (u := usage(pid)))


def nginx_rss(stack: SoakStack) -> float:
    return sum(u.rss_mb for pid in stack.front_pids().values() if (u := usage(pid)))


async def open_streams(url: str, cookies: list[str], per_customer: int, arrivals):
    """Every tab's stream at once; how long until the last is open (or inf after 180 s)."""
    tabs = len(cookies) * per_customer
    streams = [Stream(n // per_customer, cookies[n // per_customer]) for n in range(tabs)]
    started = time.monotonic()
    for stream in streams:
        start(url, stream, arrivals)
    deadline = started + 180
    while time.monotonic() < deadline and not all(s.status == 200 for s in streams):
        await asyncio.sleep(0.1)
    took = max((s.opened_at or math.inf) for s in streams) - started
    return streams, took


async def hold_while_probing(stack, profile: Profile, probes: list[Beside], seconds: float):
    """Sample the open files every 2 s while the probes run; then their results."""
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        profile.sample()
        await asyncio.sleep(2)
    return [await asyncio.to_thread(p.result, 120) for p in probes]


def latencies(made: dict, arrivals: list) -> list[float]:
    return [t - made[o][1] for o, t in arrivals if o in made and t >= made[o][1]]


async def one_step(args, stack, factory, cookies, pending, tabs: int) -> dict:
    per_customer = args.tabs_per_customer
    customers = tabs // per_customer
    before_web, before_nginx = web_rss(stack), nginx_rss(stack)
    arrivals = Arrivals()
    url = stack.url + "/orders/events"

    def processes() -> dict[str, int]:
        return {**stack.pids(), "bench-client": os.getpid()}

    opening = Profile(processes)
    opening.start()
    mine = cookies[:customers]
    streams, took = await open_streams(url, mine, per_customer, arrivals)
    opening_profile = opening.stop(max(took, 0.1))
    opened = sum(s.status == 200 for s in streams)
    await asyncio.sleep(3)
    after_web, after_nginx = web_rss(stack), nginx_rss(stack)
    profile = Profile(processes)
    profile.start()
    mine = {u: ids for u, ids in pending.items() if u < customers}
    probes = [
        Beside(changes, factory, mine, args.changes_per_second, args.hold).start(),
        Beside(
            dashboard_probe,
            stack.url,
            stack.certificate,
            cookies[0],
            args.dashboard_rate,
            args.hold,
        ).start(),
    ]
    made, dashboard = await hold_while_probing(stack, profile, probes, args.hold)
    await asyncio.sleep(2)  # the last changes' events
    profiled = profile.stop(args.hold)
    refused = sum(s.refusals for s in streams)
    failures = sum(s.failures for s in streams)
    reconnects = sum(s.reconnects for s in streams)
    await asyncio.gather(*(stop(s) for s in streams))
    pushed = latencies(made, arrivals.arrivals)
    expected = len(made) * per_customer
    ok_times = [ms for status, ms in dashboard if status == 200]
    return {
        "tabs": tabs,
        "opened": opened,
        "not_open": dict(Counter(str(s.status) for s in streams if s.status != 200)),
        "open_s": took,
        "refused": refused,
        "failures": failures,
        "reconnects": reconnects,
        "changes": len(made),
        "delivered": len(pushed) / expected if expected else 0.0,
        "push_p50_ms": 1000 * percentile(pushed, 0.5),
        "push_p99_ms": 1000 * percentile(pushed, 0.99),
        "dashboard_p50_ms": percentile(ok_times, 0.5),
        "dashboard_p99_ms": percentile(ok_times, 0.99),
        "dashboard_failed": len(dashboard) - len(ok_times),
        "web_mb_per_stream": (after_web - before_web) / max(opened, 1),
        "nginx_mb_per_stream": (after_nginx - before_nginx) / max(opened, 1),
        "web_rss_mb": after_web,
        "profile": profiled,
        "opening_profile": opening_profile,
    }


def met(result: dict) -> dict[str, bool]:
    return {
        "all open within 60 s": result["opened"] == result["tabs"]
        and result["open_s"] <= TARGETS["open_s"],
        "push p99 <= 1 s": result["push_p99_ms"] <= TARGETS["push_p99_ms"],
        "dashboard p99 <= 50 ms": result["dashboard_p99_ms"] <= TARGETS["dashboard_p99_ms"]
        and result["dashboard_failed"] == 0,
        "every event delivered (99.9 %)": result["delivered"] >= TARGETS["delivered"],
    }


def describe(result: dict) -> str:
    checks = met(result)
    took = f"{result['open_s']:.1f} s" if math.isfinite(result["open_s"]) else "180 s"
    refused = ", ".join(f"{n} × {status}" for status, n in result["not_open"].items())
    lines = [
        f"{result['tabs']} tabs: {result['opened']} open after {took}"
        + (f" (not open: {refused})" if refused else "")
        + " "
        f"({result['refused']} 503s or 204s, {result['failures']} failed connections on the way, "
        f"{result['reconnects']} reconnects)",
        f"  push: {result['changes']} changes, {result['delivered']:.2%} of the expected events;"
        f" p50 {result['push_p50_ms']:.0f} ms, p99 {result['push_p99_ms']:.0f} ms",
        f"  active customer's dashboard: p50 {result['dashboard_p50_ms']:.1f} ms, "
        f"p99 {result['dashboard_p99_ms']:.1f} ms ({result['dashboard_failed']} failed)",
        f"  memory per open stream: web {1024 * result['web_mb_per_stream']:.1f} KB, nginx "
        f"{1024 * result['nginx_mb_per_stream']:.1f} KB (web processes {result['web_rss_mb']:.0f}"
        " MB in all)",
    ]
    lines.append("  while the streams opened:")
    lines += profile_lines(result["opening_profile"])[:1]  # its CPU (the files are held after)
    lines.append(f"  during the {result['changes']} changes:")
    lines += profile_lines(result["profile"])
    lines.append(
        "  targets: " + ", ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in checks.items())
    )
    return "\n".join(lines)


def profile_lines(profile: dict) -> list[str]:
    shares = sorted(profile["cpu_share"].items(), key=lambda item: -item[1])
    cpu = ", ".join(f"{name} {share:.0%}" for name, share in shares if share >= 0.01)
    fds: dict[str, tuple[int, int]] = {}
    for name, (peak, limit) in profile["fd_peaks"].items():
        held = fds.get(role(name), (0, limit))
        fds[role(name)] = (max(held[0], peak), limit)
    files = ", ".join(f"{name} {peak}/{limit}" for name, (peak, limit) in sorted(fds.items()))
    return [
        f"    CPU (share of one core): {cpu}; machine {profile['machine_busy']:.0%} busy",
        f"    open files (peak of a process / its limit): {files}",
        f"    memory available: {profile['available_mb']:.0f} MB",
    ]


def main(argv=None) -> None:
    args = parse_args(argv)
    print(describe_machine("Open tabs"), flush=True)
    print(f"file limit raised to {raise_fd_limit()}", flush=True)
    steps = sorted(args.tabs)
    customers = math.ceil(steps[-1] / args.tabs_per_customer)
    smallest = max(1, steps[0] // args.tabs_per_customer)
    orders_each = math.ceil(args.changes_per_second * args.hold * len(steps) / smallest * 1.3) + 2
    stack = SoakStack(stack_options(args, steps[-1]))
    results = []
    try:
        environment = stack.settings.app_environment()  # as the web processes read it
        factory = functools.partial(
            soak_app,
            SECRET_KEY=environment["SECRET_KEY"],
            LIVE_CHANNEL_PREFIX=environment["LIVE_CHANNEL_PREFIX"],
        )
        app = factory()
        prepare(app)
        user_ids = seed_customers(app, customers, orders_each, status="in_processing")
        cookies = mint_cookies(app, user_ids)
        print(f"{customers} customers, {orders_each} orders in processing each", flush=True)
        stack.start()
        print(f"front: {stack.url}", flush=True)
        for tabs in steps:
            for host in stack.settings.hosts:
                stack.restart_web(host)  # a cold start for every step
            free_slots(environment["LIVE_CHANNEL_PREFIX"])
            pending = pending_orders(app, user_ids)
            result = asyncio.run(one_step(args, stack, factory, cookies, pending, tabs))
            results.append(result)
            print(describe(result), flush=True)
            if not all(met(result).values()) and not args.keep_going:
                break
    finally:
        stack.stop()
    good = [r["tabs"] for r in results if all(met(r).values())]
    print(f"largest number of tabs that met every target: {max(good) if good else 'none'}")
    print(describe_machine("done"))


if __name__ == "__main__":
    main()
