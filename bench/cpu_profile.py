"""Where a benchmark's CPU goes: each process's CPU time (its own and its reaped children's),
summed by role, between two snapshots of /proc, beside the machine's busy time."""

import os
from collections import Counter
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
ROLES = (  # the first pattern found in a process's command line names its role
    ("sandbox", "sandbox (provider)"),  # python -m app.sandbox, which runs gunicorn
    ("worker.py", "worker"),
    ("scheduler.py", "scheduler"),
    ("gunicorn", "web processes"),
    ("bench.", "benchmark client"),
    ("postgres", "Postgres"),
    ("redis-server", "Redis"),
)


def role(pid: str) -> str | None:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    return next((name for pattern, name in ROLES if pattern in command), None)


def cpu_seconds(pid: str) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICK  # utime, stime, cutime, cstime


def snapshot() -> dict[str, Counter]:
    """CPU seconds by role and by process, plus the machine's busy seconds."""
    by_role: Counter = Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        name = role(pid)
        try:
            if name:
                by_role[name] += cpu_seconds(pid)
        except OSError:
            continue
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    return {"roles": by_role, "busy": Counter(machine=busy / TICK)}


def report(before: dict, after: dict, seconds: float) -> str:
    busy = after["busy"]["machine"] - before["busy"]["machine"]
    lines = [f"CPU over {seconds:.0f} s: the machine was busy {busy:.0f} CPU-seconds"]
    used = after["roles"] - before["roles"]
    for name, spent in used.most_common():
        lines.append(f"  {name:20} {spent:7.1f} s  {spent / busy:6.1%}")
    return "\n".join(lines)
