"""Status sync benchmark: `python -m bench.sync_bench [--orders N --latency-ms L]`.

In one process run, on the same seeded orders (reset to in processing before every run), it
times our sync at each concurrency, the original algorithm (bench/baseline.py), and the
machine ceiling: the same order-service client making the same status request with zero
injected latency, at the same concurrency, with nothing else to do. It prints each time,
the rate, the speed-up over the baseline, the floor N x L / concurrency, the ratio to the
tighter of floor and ceiling (1.0 is perfect), and peak RSS. See bench/README.md.
"""

import argparse
import logging
import os
import platform
import resource
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from app.config import DEV_ORDER_TOKEN
from app.orders.provider import get_order_client
from app.orders.sync import run_sync
from app.sandbox.client import SandboxControl
from bench import environment
from bench.baseline import run_baseline


@dataclass
class Timing:
    name: str
    concurrency: int
    seconds: float
    orders: int

    @property
    def rate(self) -> float:
        return self.orders / self.seconds


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--skip-baseline", action="store_true", help="e.g. for 50,000 orders")
    parser.add_argument("--sandbox-workers", type=int, default=4)
    parser.add_argument("--sandbox-threads", type=int, default=32)
    return parser.parse_args(argv)


def time_our_sync(sandbox_url: str, concurrency: int, orders: int) -> Timing:
    app = environment.bench_app(sandbox_url, concurrency, orders)
    environment.reset_orders(app)
    with app.app_context():
        started = time.perf_counter()
        summary = run_sync(allow_fan_out=False)
        seconds = time.perf_counter() - started
    check(summary.changed == orders, f"our sync changed {summary.changed} of {orders}")
    return Timing(f"our sync, concurrency {concurrency}", concurrency, seconds, orders)


def time_baseline(sandbox_url: str, orders: int) -> Timing:
    app = environment.bench_app(sandbox_url, 1, orders)
    environment.reset_orders(app)
    with app.app_context():
        result = run_baseline(sandbox_url, DEV_ORDER_TOKEN)
    check(result.changed == orders, f"the baseline changed {result.changed} of {orders}")
    return Timing("original algorithm (sequential)", 1, result.duration, orders)


def time_ceiling(sandbox_url: str, concurrency: int, externals: list) -> Timing:
    """`concurrency` threads pull uuids and make the status request, nothing else."""
    app = environment.bench_app(sandbox_url, concurrency, len(externals))
    with app.app_context():
        client = get_order_client()
    remaining = iter(externals)
    take = threading.Lock()

    def worker() -> None:
        while True:
            with take:
                external = next(remaining, None)
            if external is None:
                return
            client.state(external)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Timing(f"ceiling, concurrency {concurrency}", concurrency, seconds, len(externals))


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"benchmark invalid: {message}")


def report(args, ours, baseline, ceilings) -> None:
    n, latency = args.orders, args.latency_ms
    print(f"\nStatus sync benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(
        f"orders: {n:,}, injected latency: {latency:g} ms, sandbox: "
        f"{args.sandbox_workers} processes x {args.sandbox_threads} threads\n"
    )
    if baseline:
        print(f"{baseline.name:34} {baseline.seconds:8.2f} s {baseline.rate:8.0f} orders/s")
    for ceiling in ceilings.values():
        print(
            f"{ceiling.name:34} {ceiling.seconds:8.2f} s {ceiling.rate:8.0f} requests/s "
            f"(zero latency)"
        )
    for run in ours:
        floor = n * latency / 1000 / run.concurrency
        ceiling = ceilings[run.concurrency].seconds
        bound = max(floor, ceiling)
        speedup = f"{baseline.seconds / run.seconds:6.1f}x" if baseline else "   n/a"
        print(
            f"{run.name:34} {run.seconds:8.2f} s {run.rate:8.0f} orders/s  speed-up {speedup}"
            f"  floor {floor:5.2f} s  ceiling {ceiling:5.2f} s  ratio {bound / run.seconds:4.2f}"
        )
    print(f"\npeak RSS of this process: {peak_rss_mb():.0f} MB")


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    setup_app = environment.bench_app("http://127.0.0.1:1", 16, args.orders)
    environment.prepare_database(setup_app)
    with environment.sandbox_processes(
        args.latency_ms, args.sandbox_workers, args.sandbox_threads
    ) as url:
        sandbox = SandboxControl(url, timeout=60)
        externals = environment.seed(setup_app, sandbox, args.orders)
        print(f"seeded {len(externals):,} orders; peak RSS {peak_rss_mb():.0f} MB", flush=True)
        ours = []
        for concurrency in args.concurrency:
            ours.append(time_our_sync(url, concurrency, args.orders))
            print(
                f"{ours[-1].name}: {ours[-1].seconds:.2f} s; peak RSS {peak_rss_mb():.0f} MB",
                flush=True,
            )
        baseline = None if args.skip_baseline else time_baseline(url, args.orders)
        sandbox.set_knobs(latency_ms=0)
        ceilings = {c: time_ceiling(url, c, externals) for c in args.concurrency}
        sandbox.set_knobs(latency_ms=args.latency_ms)
    report(args, ours, baseline, ceilings)


if __name__ == "__main__":
    main()
