"""The benchmark's figures: timings, medians over repeats, and the printed report."""

import os
import platform
import resource
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


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def report(args, ours: dict, ceilings: dict, baseline, seeded_rss: float, peak: float) -> None:
    header(args)
    n = args.orders
    if baseline:
        print(f"{baseline.name:34} {baseline.seconds:7.2f} s {baseline.rate:7.0f} orders/s")
    for runs in ceilings.values():
        seconds = median(runs)
        print(
            f"{runs[0].name:34} {seconds:7.2f} s {n / seconds:7.0f} requests/s "
            f"{spread(runs)} at zero latency"
        )
    for concurrency, runs in ours.items():
        seconds = median(runs)
        floor = n * args.latency_ms / 1000 / concurrency
        ceiling = median(ceilings[concurrency])
        speedup = f"{baseline.seconds / seconds:5.1f}x" if baseline else "  n/a"
        print(
            f"{runs[0].name:34} {seconds:7.2f} s {n / seconds:7.0f} orders/s {spread(runs)}\n"
            f"{'':34} speed-up {speedup}, floor {floor:.2f} s, ceiling {ceiling:.2f} s, "
            f"ratio to the tighter {max(floor, ceiling) / seconds:.2f}"
        )
    print(
        f"\npeak RSS of this process: {seeded_rss:.0f} MB after seeding, {peak:.0f} MB at the end"
    )
