"""What processes use, read from /proc: resident memory, CPU time, open files and their limit;
and the machine's CPU and memory. A process that has gone reads as None."""

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Usage:
    rss_mb: float
    cpu_seconds: float
    fds: int
    fd_limit: int


def usage(pid: int) -> Usage | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        limits = Path(f"/proc/{pid}/limits").read_text()
    except OSError:
        return None
    rss = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
    fields = stat.rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    return Usage(rss / 1024, cpu, fds, int(line.split()[3]))


def rss_mb(pid: int) -> float | None:
    found = usage(pid)
    return found.rss_mb if found else None


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def role(name: str) -> str:
    """`web-a/1234` → `web-a`: the process a worker belongs to."""
    return name.split("/", 1)[0]


class Profile:
    """CPU used per role between `start()` and `stop()`, with the peak open files per process
    against its limit, and the machine's share busy."""

    def __init__(self, pids):
        self.pids = pids  # a callable: {name: pid}
        self.cpu_start: dict[str, float] = {}
        self.report: dict = {}

    def snapshot(self) -> dict[str, Usage]:
        return {name: u for name, pid in self.pids().items() if (u := usage(pid)) is not None}

    def start(self) -> None:
        self.first = self.snapshot()
        self.machine_start = machine_cpu()
        self.fd_peaks: dict[str, tuple[int, int]] = {}
        self.sample()

    def sample(self) -> None:
        for name, found in self.snapshot().items():
            peak = self.fd_peaks.get(name, (0, found.fd_limit))[0]
            self.fd_peaks[name] = (max(peak, found.fds), found.fd_limit)

    def stop(self, seconds: float) -> dict:
        last = self.snapshot()
        busy, total = (b - a for a, b in zip(self.machine_start, machine_cpu(), strict=True))
        by_role: dict[str, float] = {}
        for name, found in last.items():
            before = self.first.get(name)
            used = found.cpu_seconds - (before.cpu_seconds if before else 0.0)
            by_role[role(name)] = by_role.get(role(name), 0.0) + used
        return {
            "machine_busy": busy / total if total else 0.0,
            "cpu_share": {name: used / seconds for name, used in by_role.items()},
            "fd_peaks": self.fd_peaks,
            "available_mb": available_mb(),
        }
