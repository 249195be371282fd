"""Drive a URL with wrk and read its figures (requests/s, latency percentiles)."""

import re
import shutil
import subprocess
from dataclasses import dataclass

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Load:
    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is missing: `make bench` installs Debian's package")
    return path


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def run_wrk(name: str, url: str, connections: int, seconds: float, headers: dict) -> Load:
    """One wrk run with `connections` connections over 2 threads (or fewer, at low counts)."""
    threads = min(2, connections)
    command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse(name, output)


def parse(name: str, output: str) -> Load:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = milliseconds(re.search(r"\n\s+50%\s+(\S+)", output).group(1))
    p99 = milliseconds(re.search(r"\n\s+99%\s+(\S+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(name, rate, p50, p99, int(bad.group(1)) if bad else 0, total)
