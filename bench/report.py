"""The benchmark's figures: timings, medians over repeats, and the printed report."""

import os
import platform
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class Timing:
    name: str
    concurrency: int
    seconds: float
    orders: int

    @property
    def rate(self) -> float:
        return self.orders / self.seconds


def median(runs: list[Timing]) -> float:
    return statistics.median(run.seconds for run in runs)


def spread(runs: list[Timing]) -> str:
    seconds = [run.seconds for run in runs]
    return f"({min(seconds):.2f}-{max(seconds):.2f})" if len(seconds) > 1 else ""


def header(args) -> None:
    print(f"\nStatus sync benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; "
        "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())
    )
    print(
        f"orders: {args.orders:,}, injected latency: {args.latency_ms:g} ms, sandbox: "
        f"{args.sandbox_workers} processes x {args.sandbox_threads} threads, "
        f"medians of {args.repeat} runs (min-max)\n"
    )


def reference_lines(runs: dict, orders: int, baseline) -> None:
    if baseline:
        print(f"{baseline.name:46} {baseline.seconds:7.2f} s {baseline.rate:7.0f} orders/s")
    for kind in ("ceiling", "client"):
        for series in runs[kind].values():
            seconds = median(series)
            print(
                f"{series[0].name:46} {seconds:7.2f} s {orders / seconds:7.0f} requests/s "
                f"{spread(series)}"
            )


def our_lines(args, runs: dict, baseline) -> None:
    for concurrency, series in runs["ours"].items():
        seconds = median(series)
        floor = args.orders * args.latency_ms / 1000 / concurrency
        ceiling = median(runs["ceiling"][concurrency])
        alone = median(runs["client"][concurrency])
        speedup = f"{baseline.seconds / seconds:.1f}x" if baseline else "n/a"
        print(
            f"{series[0].name:46} {seconds:7.2f} s {args.orders / seconds:7.0f} orders/s "
            f"{spread(series)}\n"
            f"    speed-up over the baseline {speedup}; floor {floor:.2f} s, ceiling "
            f"{ceiling:.2f} s, ratio to the tighter {max(floor, ceiling) / seconds:.2f}; "
            f"ratio to the client alone {alone / seconds:.2f}"
        )


def report(args, runs: dict, baseline, seeded_rss: float, peak: float) -> None:
    header(args)
    reference_lines(runs, args.orders, baseline)
    our_lines(args, runs, baseline)
    print(
        f"\npeak RSS of this process: {seeded_rss:.0f} MB after seeding, {peak:.0f} MB at the end"
    )
