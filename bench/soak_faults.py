"""The soak's faults, one after another on a schedule: each is played on the benchmark's own
proxies, processes and sandbox (never on the machine's shared Redis or Postgres), and its
window (from its start to the moment it is over) is recorded."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.soak_stack import SoakStack
from sandbox.client import SandboxControl


@dataclass
class Window:
    name: str
    start: float  # seconds since the soak began
    end: float
    note: str = ""


@dataclass
class Durations:
    redis_cut: float = 15
    postgres_freeze: float = 20
    provider_outage: float = 60
    host_down: float = 5  # a killed web host is started again after this (as systemd would)


def faults(stack: SoakStack, durations: Durations) -> list[tuple[str, Callable[[], str]]]:
    sandbox = SandboxControl(stack.sandbox_url)

    def redis_cut() -> str:
        stack.redis_proxy.cut()
        time.sleep(durations.redis_cut)
        stack.redis_proxy.restore()
        return f"{durations.redis_cut:g} s"

    def postgres_freeze() -> str:
        stack.postgres_proxy.freeze()
        time.sleep(durations.postgres_freeze)
        stack.postgres_proxy.restore()
        return f"{durations.postgres_freeze:g} s"

    def worker_killed() -> str:
        stack.kill_worker("worker-1")
        return "worker-1 killed with SIGKILL (its job's work horse too) and started again"

    def provider_outage() -> str:
        sandbox.set_knobs(error_rate=1)
        time.sleep(durations.provider_outage)
        sandbox.set_knobs(error_rate=0)
        return f"every provider request answered 503 for {durations.provider_outage:g} s"

    def host_killed() -> str:
        stack.kill("web-1")
        time.sleep(durations.host_down)
        started = time.monotonic()
        stack.start_web("web-1")
        return (
            f"web-1 killed with SIGKILL, started again {durations.host_down:g} s later; "
            f"serving {time.monotonic() - started:.1f} s after that"
        )

    def rolling_deploy() -> str:
        started = time.monotonic()
        stack.deploy()
        return f"`make deploy`'s steps, {time.monotonic() - started:.1f} s in all"

    return [
        ("Redis cut", redis_cut),
        ("Postgres frozen", postgres_freeze),
        ("worker killed", worker_killed),
        ("provider 503s", provider_outage),
        ("web host killed", host_killed),
        ("rolling deploy", rolling_deploy),
    ]


class Schedule(threading.Thread):
    """Plays the faults at `first`, `first + every`, … seconds after `began` (monotonic), each
    after the one before has ended."""

    def __init__(self, plays, began: float, first: float, every: float):
        super().__init__(name="faults", daemon=True)
        self.plays, self.began, self.first, self.every = plays, began, first, every
        self.windows: list[Window] = []
        self.stopping = threading.Event()

    def now(self) -> float:
        return time.monotonic() - self.began

    def run(self) -> None:
        for number, (name, play) in enumerate(self.plays):
            wait = self.first + number * self.every - self.now()
            if self.stopping.wait(max(0.0, wait)):
                return
            start = self.now()
            print(f"[{start:7.1f} s] fault: {name}", flush=True)
            try:
                note = play()
            except Exception as error:  # recorded, and the soak goes on
                note = f"failed to play: {error!r}"
            self.windows.append(Window(name, start, self.now(), note))
            print(f"[{self.now():7.1f} s] over: {name} ({note})", flush=True)
