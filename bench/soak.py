"""The soak: `make soak`, or `python -m bench.soak [--minutes 30]`.

Two web hosts behind nginx (TLS), a worker on each, the scheduler and the sandbox provider,
Redis and Postgres reached through the benchmark's own fault proxies (bench/soak_stack.py).
`--customers` (200) customers browse, order, send and cancel over HTTPS while the status sync
goes over `--open-orders` (20,000) open orders every minute, and a fault is played every
`--fault-every` seconds (300) from `--first-fault` (150) on, one after another: Redis cut,
Postgres frozen, a worker killed, the provider answering 503, a web host killed (and started
again), a rolling deploy.

It records every answer (its moment, latency and status) and each process's resident memory
every 2 s, and ends with the checks: no order lost, no duplicate provider order, no 5xx but
styled 503s inside the fault windows, no process's memory grown by more than 10 % from
`--memory-from` (minute 10) to the end. It writes the table to `<out>/soak.txt` and the
picture to `<out>/soak.png` (bench/results/soak/ by default); the exit status is 1 if a check
failed. See bench/README.md.
"""

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.crowd import Behaviour
from bench.machine import describe_machine
from bench.proc_stats import rss_mb
from bench.soak_checks import check_orders, settle
from bench.soak_customers import Ledger, SoakCustomer, browse
from bench.soak_data import (
    DATABASE_URL,
    PASSWORD,
    REDIS_URL,
    SANDBOX_REDIS_URL,
    email,
    prepare,
    seed_customers,
    seed_open_orders,
    soak_app,
)
from bench.soak_faults import Durations, Schedule, faults
from bench.soak_report import (
    GRACE,
    draw,
    fault_table,
    kinds_table,
    memory_growth,
    memory_lines,
    per_second,
    quantile,
)
from bench.soak_report import allowed as is_allowed
from bench.soak_report import failed as is_failure
from bench.soak_stack import LOGS, Ports, SoakOptions, SoakStack
from bench.soak_streams import OpenDashboards
from bench.tabs_bench import raise_fd_limit
from sandbox.client import SandboxControl


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--open-orders", type=int, default=20000)
    parser.add_argument("--first-fault", type=float, default=150, help="seconds")
    parser.add_argument("--fault-every", type=float, default=300, help="seconds")
    parser.add_argument("--memory-from", type=float, default=600, help="seconds")
    parser.add_argument("--redis-cut", type=float, default=15, help="seconds")
    parser.add_argument("--postgres-freeze", type=float, default=20, help="seconds")
    parser.add_argument("--provider-outage", type=float, default=60, help="seconds")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), help="seconds")
    parser.add_argument("--settle", type=float, default=180, help="seconds, for the last sends")
    parser.add_argument("--web-concurrency", type=int, default=2, help="processes per host")
    parser.add_argument("--port-base", type=int, default=8300)
    parser.add_argument("--out", type=Path, default=LOGS)
    return parser.parse_args(argv)


class Sampler(threading.Thread):
    """Every process's resident memory every `every` seconds: (second, name, MB), the name its
    role and pid (`web-1/1234`), so a process started again is a new one."""

    def __init__(self, stack: SoakStack, began: float, every: float = 2.0):
        super().__init__(name="memory", daemon=True)
        self.stack, self.began, self.every = stack, began, every
        self.samples: list[tuple[float, str, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            at = time.monotonic() - self.began
            for name, pid in self.stack.pids().items():
                if name.startswith("worker-") and "/" in name:
                    continue  # a job's work horse: a fork that lives for one job
                if (rss := rss_mb(pid)) is not None:  # named by pid: a restart is a new line
                    self.samples.append((at, f"{name.split('/')[0]}/{pid}", rss))


def stack_options(args) -> SoakOptions:
    return SoakOptions(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        sandbox_redis_url=SANDBOX_REDIS_URL,
        ports=Ports(args.port_base),
        web_concurrency=args.web_concurrency,
        app_env={"LOGIN_LIMIT_PER_ADDRESS": "100000 per hour"},  # the customers share one
    )


def run_customers(stack, args, ledger: Ledger, seconds: float, dashboards) -> list:
    behaviour = Behaviour(think_min=args.think[0], think_max=args.think[1])
    now, ramp = time.monotonic(), min(120.0, seconds / 4)  # the logins spread over 2 minutes
    threads = []
    for n in range(args.customers):
        account = (email(n), PASSWORD)
        customer = SoakCustomer(stack.url, stack.certificate, account, ledger, seed=n)
        start_at = now + ramp * n / args.customers
        thread = threading.Thread(
            target=browse,
            args=(customer, start_at, now + seconds, behaviour, dashboards.open_for),
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    return threads


def verdicts(ledger: Ledger, windows, orders: dict, growth: dict) -> dict[str, bool]:
    unexpected = [a for a in ledger.answers if is_failure(a) and not is_allowed(a, windows)]
    return {
        "0 orders lost": not orders["lost"],
        "0 duplicate provider orders": not orders["duplicates"],
        "0 unexpected 5xx (or failed connections)": not unexpected,
        "memory growth <= 10 % per process": all(
            g["growth"] <= 0.10 for g in growth.values() if g["judged"]
        ),
    }


def stream_lines(dashboards, began: float, windows) -> list[str]:
    """The open dashboards' streams: their reconnects and gaps, overall and in each fault, and
    the tabs that fell back to polling."""
    gaps = dashboards.gaps(began)
    streams = dashboards.streams
    lengths = [length for _, length in gaps]
    lines = [
        f"live streams: {len(streams)} dashboards open; {sum(s.reconnects for s in streams)} "
        f"ended by the server, {sum(s.failures for s in streams)} failed "
        f"connections, {sum(s.refusals - s.no_content for s in streams)} 503s and "
        f"{sum(s.no_content for s in streams)} 204s (polling meanwhile); {len(gaps)} gaps, "
        f"p50 {quantile(lengths, 0.5):.2f} s, p99 {quantile(lengths, 0.99):.2f} s, longest "
        f"{max(lengths, default=0):.2f} s; {sum(x > 2 for x in lengths)} longer than 2 s",
    ]
    polling = dashboards.gave_up(began)
    if polling:
        lines.append(
            f"  {len(polling)} tabs fell back to polling (answered "
            + ", ".join(f"{n} × {status}" for status, n in Counter(s for _, s in polling).items())
            + f"), from {polling[0][0]:.0f} s to {polling[-1][0]:.0f} s"
        )
    for w in windows:
        inside = [length for at, length in gaps if w.start <= at <= w.end + GRACE]
        gone = sum(w.start <= at <= w.end + GRACE for at, _ in polling)
        if gone:
            lines.append(f"  during {w.name}: {gone} tabs fell back to polling")
        typical = f"p50 {quantile(inside, 0.5):.2f} s, " if inside else ""
        longest = max(inside, default=0)
        lines.append(f"  during {w.name}: {len(inside)} gaps, {typical}longest {longest:.2f} s")
    return lines


def report(args, ledger, schedule, sampler, orders, seconds: int, settled: float, streams):
    windows = schedule.windows
    growth = memory_growth(sampler.samples, args.memory_from, seconds)
    checks = verdicts(ledger, windows, orders, growth)
    answered = [a for a in ledger.answers if not is_failure(a)]
    unexpected = [a for a in ledger.answers if is_failure(a) and not is_allowed(a, windows)]
    lines = [
        describe_machine("Soak"),
        f"{args.minutes:g} min, {args.customers} customers, {args.open_orders} open orders; "
        f"faults from {args.first_fault:g} s every {args.fault_every:g} s",
        f"answers: {len(ledger.answers)} ({len(answered)} without failure), "
        f"{len(ledger.answers) / seconds:.1f} a second",
        f"orders: {orders['created']} created, {orders['sent']} sent, {orders['cancelled']} "
        f"cancelled; now {orders['by_status']}; {orders['provider_orders']} at the provider "
        f"(sends settled {settled:.0f} s after the load)",
        "",
        *streams,
        "",
        *kinds_table(ledger.answers),
        "",
        *fault_table(ledger.answers, windows),
        "",
        "unexpected failures: "
        + (", ".join(f"{a.kind} {a.status} at {a.at:.0f} s" for a in unexpected[:20]) or "none"),
        f"lost: {list(orders['lost'].items())[:10] or 'none'}",
        f"duplicates: {list(orders['duplicates'].items())[:10] or 'none'}",
        "",
        f"memory from {args.memory_from:g} s to the end:",
        *memory_lines(growth),
        "",
        *(f"{name}: {'held' if held else 'FAILED'}" for name, held in checks.items()),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines), flush=True)
    series = per_second(ledger.answers, windows, seconds)
    title = f"Soak: {args.minutes:g} min, {args.customers} customers, {args.open_orders} open"
    draw(args.out / "soak.png", series, sampler.samples, windows, title)
    print(f"table: {args.out / 'soak.txt'}; picture: {args.out / 'soak.png'}")
    return all(checks.values())


def main(argv=None) -> None:
    args = parse_args(argv)
    print(describe_machine("Soak"), flush=True)
    raise_fd_limit()
    seconds = int(args.minutes * 60)
    app = soak_app()
    prepare(app)
    seed_customers(app, args.customers, orders_each=20)
    stack = SoakStack(stack_options(args))
    try:
        stack.start()
        print(f"front: {stack.url}; processes: {sorted(stack.pids())}", flush=True)
        seed_open_orders(app, SandboxControl(stack.sandbox_url), args.open_orders)
        ledger = Ledger()
        sampler = Sampler(stack, ledger.began)
        sampler.start()
        durations = Durations(args.redis_cut, args.postgres_freeze, args.provider_outage)
        plays = faults(stack, durations)
        schedule = Schedule(plays, ledger.began, args.first_fault, args.fault_every)
        schedule.start()
        dashboards = OpenDashboards(stack.url)
        dashboards.start()
        customers = run_customers(stack, args, ledger, seconds, dashboards)
        for thread in customers:
            thread.join()
        schedule.stopping.set()  # no fault more; the one under way plays out, the tabs open
        schedule.join()
        streams = stream_lines(dashboards, ledger.began, schedule.windows)
        dashboards.close_all()
        settled = settle(DATABASE_URL, ledger, args.settle)
        sampler.stopping.set()
        sampler.join()
        orders = check_orders(DATABASE_URL, stack.sandbox_url, ledger)
        passed = report(args, ledger, schedule, sampler, orders, seconds, settled, streams)
    finally:
        stack.stop()
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
