"""The API over real HTTP: `python -m bench.api_bench [--orders 10000 --rounds 3]`.

Starts the web app as the Procfile's `web` line does (its own database seeded with one user of
N orders, and a personal API token) and the trivial Flask + Jinja app on the same gunicorn
settings, then drives both with wrk: `GET /api/v1/orders?limit=20` (20 orders as JSON, with
the token looked up in Postgres, the rate limit counted in Redis and an ETag) against the
trivial page, at 16 and at 4 connections, round after round, with the dashboard's full page
measured alongside for reference. See bench/README.md.
"""

import argparse
import statistics

import requests

from app.api.tokens import create_token
from app.extensions import db
from bench import web_data
from bench.http_bench import FLOOR, line, measured
from bench.machine import describe_machine
from bench.web_data import RESULTS
from tests.support.processes import closed_port
from tests.support.web_process import serve, web_command

LISTING = "/api/v1/orders?limit=20"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api_bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 4])
    parser.add_argument("--web", help="a web command line instead of the Procfile's")
    parser.add_argument(
        "--ports", type=int, nargs=2, help="the app's and the floor's (default: free)"
    )
    return parser.parse_args(argv)


def make_token(user_id: int) -> str:
    app = web_data.web_app()
    with app.app_context():
        _, secret = create_token(user_id, "bench", "read")
        db.session.remove()
        db.engine.dispose()
    return secret


def check(url: str, headers: dict) -> None:
    """One request before the load, so wrk never measures an error."""
    response = requests.get(url, headers=headers, timeout=10)
    if response.status_code != 200 or len(response.json()["data"]) != 20:
        raise SystemExit(f"{url} answered {response.status_code}, not 20 orders")


def measure(app_url: str, floor_url: str, plan: list[tuple], args) -> dict:
    """Per round and connection count: the floor, then each case right after it."""
    results: dict[str, list[tuple]] = {}
    for round_number in range(args.rounds):
        for connections in args.connections:
            floor_name = f"{FLOOR}, {connections} connections"
            floor = measured(floor_name, floor_url, connections, args.seconds, {})
            print(f"  round {round_number + 1}: {line(floor, floor)}", flush=True)
            for what, path, headers in plan:
                name = f"{what}, {connections} connections"
                case = measured(name, app_url + path, connections, args.seconds, headers)
                results.setdefault(name, []).append((case, floor))
                print(f"  round {round_number + 1}: {line(case, floor)}", flush=True)
    return results


def summarise(results: dict) -> None:
    print("\nmedian over the rounds (min-max); each ratio to the floor measured just before")
    for name, runs in results.items():
        rates = [load.rate for load, _ in runs]
        ratios = [load.rate / floor.rate for load, floor in runs]
        p99 = [load.p99_ms for load, _ in runs]
        print(
            f"  {name:52} {statistics.median(rates):7.0f} req/s"
            f"  {statistics.median(ratios):6.1%} ({min(ratios):.1%}-{max(ratios):.1%})"
            f"  p99 {statistics.median(p99):6.2f} ms ({min(p99):.2f}-{max(p99):.2f})"
        )


def main(argv=None) -> None:
    args = parse_args(argv)
    print(describe_machine("API over HTTP"))
    [user_id] = web_data.prepare(users=1, orders_each=args.orders)
    secret = make_token(user_id)
    env = web_data.app_environment(API_RATE_LIMIT="10000000 per minute")
    app_port, floor_port = args.ports or (closed_port(), closed_port())
    app_command = web_command(app_port, command=args.web)
    floor_command = web_command(floor_port, "bench.trivial_app:app", command=args.web)
    with (
        serve(app_command, env, "api-bench-web", RESULTS) as app,
        serve(floor_command, env, "api-bench-floor", RESULTS) as floor,
    ):
        headers = {"Authorization": f"Bearer {secret}"}
        check(app.url + LISTING, headers)
        page = {"Cookie": web_data.session_cookie(app.url), "User-Agent": web_data.USER_AGENT}
        plan = [
            ("API: 20 orders as JSON", LISTING, headers),
            ("for reference: the dashboard, full page", "/", page),
        ]
        print(f"{args.orders:,} orders for the user; wrk, {args.seconds:g} s per case\n")
        summarise(measure(app.url, floor.url + "/", plan, args))
    print(describe_machine("done"))


if __name__ == "__main__":
    main()
