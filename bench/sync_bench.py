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
import threading
import time

from app.config import DEV_ORDER_TOKEN
from app.orders.provider import get_order_client
from app.orders.sync import run_sync
from bench import environment
from bench.baseline import run_baseline
from bench.common import peak_rss_mb
from bench.report import Timing, report
from sandbox.client import SandboxControl

CLIENT_ALONE = "client alone, same latency"
CEILING = "ceiling (client alone, 0 ms)"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sync_bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--skip-baseline", action="store_true", help="e.g. for 50,000 orders")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians shown")
    parser.add_argument("--sandbox-workers", type=int, default=4)
    parser.add_argument("--sandbox-threads", type=int, default=32)
    return parser.parse_args(argv)


def time_our_sync(sandbox_url: str, concurrency: int, orders: int) -> Timing:
    app = environment.sync_app(sandbox_url, concurrency, orders)
    environment.reset_orders(app)
    with app.app_context():
        started = time.perf_counter()
        summary = run_sync(allow_fan_out=False)
        seconds = time.perf_counter() - started
    check(summary.changed == orders, f"our sync changed {summary.changed} of {orders}")
    return Timing(f"our sync, concurrency {concurrency}", concurrency, seconds, orders)


def time_baseline(sandbox_url: str, orders: int) -> Timing:
    app = environment.sync_app(sandbox_url, 1, orders)
    environment.reset_orders(app)
    with app.app_context():
        result = run_baseline(sandbox_url, DEV_ORDER_TOKEN)
    check(result.changed == orders, f"the baseline changed {result.changed} of {orders}")
    return Timing("original algorithm (sequential)", 1, result.duration, orders)


def time_client_alone(sandbox_url: str, concurrency: int, externals: list, name: str) -> Timing:
    """`concurrency` threads pull uuids and make the status request, nothing else: at zero
    latency this is the machine ceiling; at the benchmark's latency, the best any sync using
    this client and this many threads could do here."""
    app = environment.sync_app(sandbox_url, concurrency, len(externals))
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
    return Timing(f"{name}, concurrency {concurrency}", concurrency, seconds, len(externals))


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"benchmark invalid: {message}")


def measure(args, url: str, sandbox: SandboxControl, externals: list) -> dict:
    """At each concurrency, side by side and `repeat` times over (so the machine's noise falls
    on all alike): our sync, the client alone at the same latency, and the ceiling."""
    runs: dict = {kind: {c: [] for c in args.concurrency} for kind in ("ours", "client", "ceiling")}
    for _ in range(args.repeat):
        for c in args.concurrency:
            runs["ours"][c].append(time_our_sync(url, c, args.orders))
            runs["client"][c].append(time_client_alone(url, c, externals, CLIENT_ALONE))
            sandbox.set_knobs(latency_ms=0)
            runs["ceiling"][c].append(time_client_alone(url, c, externals, CEILING))
            sandbox.set_knobs(latency_ms=args.latency_ms)
            progress([runs[kind][c][-1] for kind in runs])
    return runs


def progress(latest: list[Timing]) -> None:
    timings = ", ".join(f"{run.name}: {run.seconds:.2f} s" for run in latest)
    print(f"  {timings}; peak RSS {peak_rss_mb():.0f} MB", flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    setup_app = environment.sync_app("http://127.0.0.1:1", 16, args.orders)
    environment.prepare_database(setup_app)
    with environment.sandbox_processes(
        args.latency_ms, args.sandbox_workers, args.sandbox_threads
    ) as url:
        sandbox = SandboxControl(url, timeout=60)
        externals = environment.seed(setup_app, sandbox, args.orders)
        seeded_rss = peak_rss_mb()
        print(f"seeded {len(externals):,} orders; peak RSS {seeded_rss:.0f} MB", flush=True)
        runs = measure(args, url, sandbox, externals)
        baseline = None if args.skip_baseline else time_baseline(url, args.orders)
    report(args, runs, baseline, seeded_rss, peak_rss_mb())


if __name__ == "__main__":
    main()
