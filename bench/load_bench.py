"""A busy hour: `python -m bench.load_bench [--customers 100 --minutes 5 --open-orders 5000]`.

Starts the production processes as the Procfile does (the web process with its gevent
workers, `python worker.py`, `python scheduler.py`) against the bench database, Redis
database 10 and the sandbox provider (several processes, its own latency), with the given
open orders in processing, which the status sync works through every minute. Then:

1. `--burst` customers log in at the same moment (all submit the form together);
2. `--customers` customers log in at random moments within `--login-window` seconds and use
   the desk as a browser does (bench/crowd.py) for `--minutes`, then log out.

Prints, per kind of request, the count, p50, p99 and the slowest, the statuses that were not
expected, every 5xx, the status sync's runs meanwhile, each web process's peak memory and the
client's own CPU. See bench/README.md.
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import text
from werkzeug.security import generate_password_hash

from app.config import DEV_CATALOG_TOKEN, DEV_ORDER_TOKEN
from app.extensions import db
from app.models import User
from bench import cpu_profile, web_data
from bench.common import peak_rss_mb
from bench.crowd import Behaviour, Customer, Recorder, login_burst, run_crowd
from bench.environment import ROOT, prepare_database, sandbox_processes
from bench.machine import describe_machine
from bench.web_data import RESULTS
from sandbox.client import SandboxControl
from tests.support.orders import processing_orders
from tests.support.processes import closed_port
from tests.support.web_process import serve, web_command

PASSWORD = "load-bench-password"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load_bench", description=__doc__)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--login-window", type=float, default=10, help="seconds")
    parser.add_argument("--minutes", type=float, default=5, help="of browsing")
    parser.add_argument("--burst", type=int, default=40, help="logins at once (0: none)")
    parser.add_argument("--open-orders", type=int, default=5000)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), help="seconds")
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--sync-interval", type=int, default=60)
    parser.add_argument("--sandbox-workers", type=int, default=2)
    parser.add_argument("--web-concurrency", type=int, default=2)
    return parser.parse_args(argv)


def email(n: int) -> str:
    return f"load-{n}@example.com"


def prepare(customers: int, open_orders: int, sandbox: SandboxControl) -> None:
    """The bench database emptied, then the customers (one password hash shared, so seeding
    costs one hash) and the open orders, spread over them and registered at the sandbox."""
    app = web_data.web_app()
    prepare_database(app)
    sandbox.reset()
    with app.app_context():
        db.session.execute(text("TRUNCATE order_events, order_items, orders, users CASCADE"))
        password_hash = generate_password_hash(PASSWORD)
        users = [User(email=email(n), password_hash=password_hash) for n in range(customers)]
        db.session.add_all(users)
        db.session.commit()
        for index, user in enumerate(users):
            share = open_orders // customers + (index < open_orders % customers)
            processing_orders(sandbox, user.id, share)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE users, orders"))
        db.session.remove()
        db.engine.dispose()


def environment(args, sandbox_url: str) -> dict:
    return web_data.app_environment(
        CATALOG_SERVICES_BASE_URL=sandbox_url,
        CATALOG_SERVICES_API_TOKEN=DEV_CATALOG_TOKEN,
        ORDER_SERVICE_BASE_URL=sandbox_url,
        ORDER_SERVICE_API_TOKEN=DEV_ORDER_TOKEN,
        SYNC_INTERVAL_SECONDS=str(args.sync_interval),
        WEB_CONCURRENCY=str(args.web_concurrency),
        LOGIN_LIMIT_PER_ADDRESS="100000 per hour",  # every customer logs in from here
        LOG_LEVEL="WARNING",  # a line per request would cost the web processes' CPU
    )


def start_processes(stack: ExitStack, args) -> tuple[str, list]:
    """The sandbox, the web process, a worker and the scheduler; the web's URL and server."""
    sandbox_url = stack.enter_context(sandbox_processes(args.latency_ms, args.sandbox_workers, 32))
    env = environment(args, sandbox_url)
    web = stack.enter_context(serve(web_command(closed_port()), env, "load-web", RESULTS))
    for script in ("worker.py", "scheduler.py"):
        stack.enter_context(background(script, {**env, "LOG_LEVEL": "INFO"}))
    return sandbox_url, web


@contextmanager
def background(script: str, env: dict) -> Iterator[subprocess.Popen]:
    """`python <script>` in its own process group, its output in bench/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with (RESULTS / f"load-{script.removesuffix('.py')}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, script],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def print_table(title: str, recorder: Recorder) -> None:
    print(f"\n{title}")
    print(f"{'request':18} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    for kind, times in recorder.times.items():
        counted = sorted(recorder.statuses[kind].items(), key=str)
        statuses = ", ".join(f"{status}: {count}" for status, count in counted)
        print(
            f"{kind:18} {len(times):6} {statistics.median(times):8.1f} "
            f"{percentile(times, 0.99):8.1f} {max(times):8.1f}  {statuses}"
        )
    print(f"5xx and failed requests: {recorder.server_errors()}")
    for (kind, status, detail), count in Counter(recorder.failures).most_common(12):
        print(f"  {count:4} × {kind} {status}: {detail}")


def sync_runs(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [m.group(0) for line in lines if (m := re.search(r"status sync \w+: .*", line))]


def web_memory(server) -> str:
    """Each gunicorn process's peak resident memory (VmHWM)."""
    peaks = []
    for pid in server.processes():
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024)
    return ", ".join(f"{mb} MB" for mb in peaks) + " (master first)"


def customers_of(url: str, numbers: range, recorder: Recorder) -> list[Customer]:
    return [Customer(url, email(n), PASSWORD, recorder, seed=n) for n in numbers]


def warm_up(url: str) -> None:
    """One customer's visit first, so the catalog is in the cache as in a running desk."""
    customer = customers_of(url, range(1), Recorder())[0]
    assert customer.log_in(), "the warm-up login failed; see bench/results/load-web.log"
    customer.open_catalog()
    customer.log_out()


def main(argv=None) -> None:
    args = parse_args(argv)
    print(describe_machine("Busy-hour benchmark"))
    behaviour = Behaviour(*args.think)
    with ExitStack() as stack:
        sandbox_url, web = start_processes(stack, args)
        prepare(args.customers, args.open_orders, SandboxControl(sandbox_url))
        warm_up(web.url)
        cpu_before = os.times()
        if args.burst:
            burst = Recorder()
            login_burst(customers_of(web.url, range(args.burst), burst))
            print_table(f"{args.burst} customers logging in at the same moment", burst)
        crowd = Recorder()
        started, cpu_start = time.monotonic(), cpu_profile.snapshot()
        customers = customers_of(web.url, range(args.customers), crowd)
        run_crowd(customers, args.login_window, args.minutes * 60, behaviour)
        elapsed = time.monotonic() - started
        cpu_spent = cpu_profile.report(cpu_start, cpu_profile.snapshot(), elapsed)
        print_table(
            f"{args.customers} customers, logging in within {args.login_window:g} s, browsing "
            f"for {args.minutes:g} min (think {args.think[0]:g}-{args.think[1]:g} s); "
            f"{sum(map(len, crowd.times.values())) / elapsed:.1f} requests/s",
            crowd,
        )
        print(f"\n{cpu_spent}")
        print(f"web processes' peak memory: {web_memory(web)}")
        cpu = os.times()
        used = cpu.user - cpu_before.user + cpu.system - cpu_before.system
        print(f"the client's own CPU: {used:.1f} s; its peak RSS {peak_rss_mb():.0f} MB")
    runs = sync_runs(RESULTS / "load-worker.log")
    print(f"status sync runs during the benchmark: {len(runs)}")
    for line in runs[-6:]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
