"""The web process started as the Procfile starts it (gunicorn, its settings), on a free port and
the given environment: for the tests of the process itself and for the HTTP benchmarks."""

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def procfile_command(name: str, procfile: str = "Procfile") -> str:
    """The command line of one process type in the Procfile."""
    for line in (ROOT / procfile).read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise LookupError(f"no {name!r} process in {procfile}")


def web_command(port: int, wsgi_app: str = "wsgi:app", command: str | None = None) -> list[str]:
    """The Procfile's web command on 127.0.0.1:`port`, optionally serving another WSGI app,
    run by the shell as a Procfile runner does (so `${WEB_CONCURRENCY:-2}` works)."""
    line = command or procfile_command("web")
    line = re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", line)
    line = re.sub(r"(?<!\S)wsgi:app(?!\S)", wsgi_app, line)
    return ["sh", "-c", f"exec {line}"]


@contextmanager
def serve(command: list[str], env: dict, name: str, logs: Path) -> Iterator["Server"]:
    """Run a server process group until the block ends; its output goes to `logs`/`name`.log."""
    logs.mkdir(parents=True, exist_ok=True)
    port = int(re.search(r"127\.0\.0\.1:(\d+)", " ".join(command)).group(1))
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
    with (logs / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "PATH": path},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, f"http://127.0.0.1:{port}", process)
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()


class Server:
    def __init__(self, name: str, url: str, process: subprocess.Popen):
        self.name, self.url, self.process = name, url, process

    def wait_until_serving(self, seconds: float = 60) -> None:
        wait_until(lambda: self.process.poll() is not None or self.answers(), seconds, step=0.2)
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited at start-up; see its log")

    def answers(self) -> bool:
        try:
            requests.get(self.url + "/healthz", timeout=1)
        except requests.RequestException:
            return False
        return True

    def processes(self) -> list[int]:
        """The master and its workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *map(int, children.read_text().split())]

    def memory_mb(self) -> dict[str, float]:
        """Current and peak resident memory of the workers together, in MB."""
        totals = {"VmRSS": 0.0, "VmHWM": 0.0}
        for pid in self.processes()[1:]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in totals:
                    totals[key] += int(value.split()[0]) / 1024
        return {"rss": totals["VmRSS"], "peak": totals["VmHWM"]}

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
