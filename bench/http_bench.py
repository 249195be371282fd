"""Dashboard over real HTTP: `python -m bench.http_bench [--orders 10000 --rounds 3]`.

Starts the web app exactly as the Procfile's `web` line does (on a free port, its own database
seeded with one user of N orders) and a trivial Flask + Jinja app on the same gunicorn
settings, then drives both with wrk, case after case, round after round. Every ratio compares
a case with the trivial page in the same round. Prints req/s, p50/p99, the ratios, the
web workers' memory and the machine. See bench/README.md.
"""

import argparse
import statistics

import requests

from bench import web_data
from bench.machine import describe_machine
from bench.web_data import RESULTS
from bench.wrk import Load, run_wrk
from tests.support.processes import closed_port
from tests.support.web_process import serve, web_command

TABLE = {"HX-Request": "true", "HX-Target": "orders-table"}
FLOOR = "trivial Flask + Jinja page"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http_bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--latency-connections", type=int, default=4)
    parser.add_argument("--web", help="a web command line instead of the Procfile's")
    parser.add_argument(
        "--no-kept-tables",
        action="store_true",
        help="ORDERS_TABLE_CACHE_SIZE=ORDERS_PAGE_CACHE_SIZE=0: render each time",
    )
    return parser.parse_args(argv)


def check(url: str, headers: dict, expected: int, rows: int | None = None) -> requests.Response:
    """One request before the load, so wrk never measures a redirect or an error page."""
    response = requests.get(url, headers=headers, timeout=10, allow_redirects=False)
    if response.status_code != expected:
        raise SystemExit(f"{url} answered {response.status_code}, expected {expected}")
    if rows is not None and response.text.count("data-order-id=") != rows:
        raise SystemExit(f"{url} did not show {rows} orders")
    return response


def cases(app_url: str, floor_url: str, cookie: str, args) -> list[tuple]:
    """(name, url, connections, headers) of every measured case, checked once each."""
    auth = {"Cookie": cookie, "User-Agent": web_data.USER_AGENT}
    check(floor_url, {}, 200)
    check(app_url + "/", auth, 200, rows=20)
    check(app_url + "/?page=500", auth, 200, rows=20)
    partial = check(app_url + "/", {**auth, **TABLE}, 200, rows=20)
    etag = partial.headers.get("ETag")
    unchanged = {**auth, **TABLE, **({"If-None-Match": etag} if etag else {})}
    check(app_url + "/", unchanged, 304 if etag else 200)
    c, low = args.connections, args.latency_connections
    return [
        ("dashboard page 1, full page", app_url + "/", c, auth),
        ("dashboard page 500, full page", app_url + "/?page=500", c, auth),
        ("table partial, no tag sent", app_url + "/", c, {**auth, **TABLE}),
        (
            "table refresh, unchanged" + (" (304)" if etag else " (no ETag: rendered)"),
            app_url + "/",
            c,
            unchanged,
        ),
        (f"dashboard page 1, full page, {low} connections", app_url + "/", low, auth),
    ]


def measured(name: str, url: str, connections: int, seconds: float, headers: dict) -> Load:
    run_wrk(name, url, connections, 1, headers)  # warm-up
    return run_wrk(name, url, connections, seconds, headers)


def measure(plan: list[tuple], floor_url: str, rounds: int, seconds: float) -> dict:
    """Each case once per round, right after the floor at the same number of connections, so
    the machine's load (shared and noisy) falls on both alike; each case paired with its floor."""
    results: dict[str, list[tuple]] = {name: [] for name, *_ in plan}
    for round_number in range(rounds):
        for name, url, connections, headers in plan:
            floor_name = f"{FLOOR}, {connections} connections"
            floor = measured(floor_name, floor_url, connections, seconds, {})
            case = measured(name, url, connections, seconds, headers)
            results.setdefault(floor.name, []).append((floor, floor))
            results[name].append((case, floor))
            print(f"  round {round_number + 1}: {line(floor, floor)}", flush=True)
            print(f"  round {round_number + 1}: {line(case, floor)}", flush=True)
    return results


def line(load: Load, floor: Load) -> str:
    bad = f", {load.non_2xx} non-2xx/3xx" if load.non_2xx else ""
    return (
        f"{load.name:52} {load.rate:8.0f} req/s  p50 {load.p50_ms:6.2f} ms  "
        f"p99 {load.p99_ms:7.2f} ms  {load.rate / floor.rate:6.1%} of the floor{bad}"
    )


def summarise(results: dict[str, list[tuple]]) -> None:
    print("\nmedian over the rounds (min-max); each ratio to the floor measured just before")
    for name, runs in results.items():
        rates = [load.rate for load, _ in runs]
        ratios = [load.rate / floor.rate for load, floor in runs]
        p99 = [load.p99_ms for load, _ in runs]
        print(
            f"  {name:52} {statistics.median(rates):7.0f} req/s ({min(rates):.0f}-{max(rates):.0f})"
            f"  {statistics.median(ratios):6.1%} ({min(ratios):.1%}-{max(ratios):.1%})"
            f"  p99 {statistics.median(p99):6.2f} ms ({min(p99):.2f}-{max(p99):.2f})"
        )
    first, last = results["dashboard page 1, full page"], results["dashboard page 500, full page"]
    gaps = [1 - b.rate / a.rate for (a, _), (b, _) in zip(first, last, strict=True)]
    print(f"  page 500 is {statistics.median(gaps):.1%} slower than page 1 (median of the rounds)")


def main(argv=None) -> None:
    args = parse_args(argv)
    print(describe_machine("Dashboard over HTTP"))
    web_data.prepare(users=1, orders_each=args.orders)
    kept = "0" if args.no_kept_tables else "256"
    env = web_data.app_environment(ORDERS_TABLE_CACHE_SIZE=kept, ORDERS_PAGE_CACHE_SIZE=kept)
    app_port, floor_port = closed_port(), closed_port()
    app_command = web_command(app_port, command=args.web)
    floor_command = web_command(floor_port, "bench.trivial_app:app", command=args.web)
    print("web:", " ".join(app_command))
    with (
        serve(app_command, env, "http-bench-web", RESULTS) as app,
        serve(floor_command, env, "http-bench-floor", RESULTS) as floor,
    ):
        cookie = web_data.session_cookie(app.url)
        plan = cases(app.url, floor.url + "/", cookie, args)
        print(f"{args.orders:,} orders for the user; wrk, {args.seconds:g} s per case\n")
        results = measure(plan, floor.url + "/", args.rounds, args.seconds)
        summarise(results)
        memory = app.memory_mb()
        print(
            f"\nweb workers: {memory['rss']:.0f} MB resident now, {memory['peak']:.0f} MB at peak"
            f" (sum over the workers); trivial app workers {floor.memory_mb()['peak']:.0f} MB"
        )
    print(describe_machine("done"))


if __name__ == "__main__":
    main()
