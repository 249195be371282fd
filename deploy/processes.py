"""Starting, finding and stopping the stack's processes by their pid files."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from deploy.settings import ROOT


class StackError(RuntimeError):
    """The stack could not be started, replaced or stopped; the message says what and where."""


def launch(command: list[str], env: dict, log: Path, pid_file: Path | None) -> int:
    """Start a process in its own session (Ctrl-C in the terminal reaches only the runner, which
    stops the processes in order); its output is appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if pid_file is not None:
        pid_file.write_text(f"{process.pid}\n")
    return process.pid


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int | None) -> bool:
    """Running, and not a zombie left for its parent to collect."""
    if not pid:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listed.split()]


def signal_pid(pid: int | None, sig: int) -> None:
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise StackError(f"{what}: not within {seconds:g} s")
        time.sleep(0.1)


def stop_pids(pids: list[int], sig: int, seconds: float) -> None:
    """Signal every process, wait for all, and kill what is left (with its children)."""
    for pid in pids:
        signal_pid(pid, sig)
    deadline = time.monotonic() + seconds
    while any(map(alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in filter(alive, pids):
        kill_tree(pid)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and its children, at once (as a machine that dies would)."""
    for child in children(pid):
        signal_pid(child, signal.SIGKILL)
    signal_pid(pid, signal.SIGKILL)


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
