"""Real processes for the chaos suite: started as the Procfile starts them, logged to files,
stopped politely or killed with SIGKILL."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.support.processes import dies_with_the_tests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "chaos"


def procfile_commands(path: Path = ROOT / "Procfile") -> dict[str, str]:
    """The Procfile's commands by process name."""
    commands = {}
    for line in path.read_text().splitlines():
        if match := re.match(r"^([\w-]+):\s*(.+)$", line.strip()):
            commands[match[1]] = match[2]
    return commands


def local_only(command: str) -> str:
    """The same command bound to the loopback interface only."""
    return command.replace("0.0.0.0", "127.0.0.1")


class Process:
    """One long-running process, run through `bash -c 'exec …'` so its pid is the program's."""

    def __init__(self, name: str, command: str, env: dict):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = ARTIFACTS / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.exit_code: int | None = None

    def start(self) -> "Process":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.name}: {self.command}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                ["bash", "-c", f"exec {self.command}"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=dies_with_the_tests,
            )
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def children(self) -> set[int]:
        """The process's direct children (gunicorn's workers), to notice restarts."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return {int(pid) for pid in path.read_text().split()} if path.exists() else set()

    def kill9(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_since().splitlines()[-lines:])


def during(seconds: float, every: float = 0.25):
    """Ticks for `seconds` (a fault's planned length), paced `every` seconds apart, so a test
    can keep checking the app while the fault lasts."""
    ends = time.monotonic() + seconds
    while (left := ends - time.monotonic()) > 0:
        tick = time.monotonic()
        yield left
        time.sleep(max(0.0, min(every - (time.monotonic() - tick), ends - time.monotonic())))
