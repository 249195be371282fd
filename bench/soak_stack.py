"""The deployment the soak and the tabs benchmark drive: two web hosts, a worker on each, one
scheduler and the sandbox provider, with every web host, worker and the scheduler reaching Redis
and Postgres through fault proxies of the benchmark's own (tests/chaos/proxy.py), so a fault
is played on the proxy and never on the machine's shared servers.

In front sits nginx with TLS when the machine has it and `deploy/nginx.conf` exists (as `make
stack` installs them); otherwise the customers talk to the hosts directly (`front_url` is then
host A, and `host_urls` lists both), which is only good for trying the tools.

Every process is a `tests.chaos.processes.Process` (`bash -c 'exec …'`, its own session), its
output in `bench/results/soak/<name>.log`.
"""

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import urllib3

from bench.front import Front, start_front
from tests.chaos.processes import Process, local_only, procfile_commands
from tests.chaos.proxy import FaultProxy
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "bench" / "results" / "soak"
STARTUP_SECONDS = 90
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # our own certificate


@dataclass
class Ports:
    """The benchmark's ports (8300-8399 by default): the front, the sandbox, the hosts."""

    base: int = 8300

    @property
    def front(self) -> int:
        return self.base + 43  # https://127.0.0.1:8343, as 8443 is the stack's

    @property
    def sandbox(self) -> int:
        return self.base + 1

    def web(self, index: int) -> int:
        return self.base + 11 + index

    def metrics(self, index: int) -> int:
        return self.base + 21 + index


@dataclass
class StackSettings:
    database_url: str
    redis_url: str
    sandbox_redis_url: str
    ports: Ports = field(default_factory=Ports)
    hosts: int = 2
    web_concurrency: int = 2
    env: dict = field(default_factory=dict)  # settings every app process reads
    web_options: str = ""  # added to the web command line (`--worker-connections 4000`)
    jobs: bool = True  # the sandbox, the workers and the scheduler too, or the web alone
    sandbox_processing_seconds: float = 60


class SoakStack:
    def __init__(self, settings: StackSettings):
        self.settings = settings
        self.redis_proxy = FaultProxy.in_front_of(settings.redis_url, "redis-proxy")
        self.postgres_proxy = FaultProxy.in_front_of(settings.database_url, "postgres-proxy")
        self.processes: dict[str, Process] = {}
        self.front: Front | None = None
        self.sandbox_url = f"http://127.0.0.1:{settings.ports.sandbox}"
        self.host_names = [f"web-{chr(ord('a') + i)}" for i in range(settings.hosts)]
        self.host_urls = [
            f"http://127.0.0.1:{settings.ports.web(i)}" for i in range(settings.hosts)
        ]
        LOGS.mkdir(parents=True, exist_ok=True)

    # Start and stop.

    def start(self) -> "SoakStack":
        if self.settings.jobs:
            self.start_sandbox()
        for index in range(self.settings.hosts):
            self.start_web(index)
            if self.settings.jobs:
                self.start_worker(index)
        if self.settings.jobs:
            self.start_scheduler()
        self.front = start_front(self.host_urls, self.settings.ports.front, LOGS)
        return self

    @property
    def front_url(self) -> str:
        return self.front.url if self.front else self.host_urls[0]

    def stop(self) -> None:
        if self.front:
            self.front.stop()
        for process in reversed(list(self.processes.values())):
            process.stop(timeout=30)
        self.redis_proxy.stop()
        self.postgres_proxy.stop()

    def app_env(self, **extra) -> dict:
        """What every app process reads: Redis and Postgres through the proxies."""
        settings = self.settings
        return {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            "WEB_CONCURRENCY": str(settings.web_concurrency),
            "DATABASE_URL": self.postgres_proxy.url(settings.database_url),
            "REDIS_URL": self.redis_proxy.url(settings.redis_url),
            "ORDER_SERVICE_BASE_URL": self.sandbox_url,
            "CATALOG_SERVICES_BASE_URL": self.sandbox_url,
            **settings.env,
            **extra,
        }

    def run(self, name: str, command: str, env: dict) -> Process:
        process = Process(name, command, env)
        process.log_path = LOGS / f"{name}.log"
        self.processes[name] = process.start()
        return process

    def start_sandbox(self) -> None:
        command = (
            f"python -m sandbox --host 127.0.0.1 --port {self.settings.ports.sandbox} "
            f"--workers 2 --threads 32 --redis-url {self.settings.sandbox_redis_url} "
            f"--prefix soak-sandbox "
            f"--processing-seconds {self.settings.sandbox_processing_seconds:g}"
        )
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        process = self.run("sandbox", command, env)
        wait_until(
            lambda: answers(f"{self.sandbox_url}/_sandbox/stats") or not process.alive(),
            STARTUP_SECONDS,
            explain=lambda: "the sandbox to answer",
        )

    def start_web(self, index: int) -> Process:
        name, port = self.host_names[index], self.settings.ports.web(index)
        metrics = LOGS / f"metrics-{name}"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)
        command = local_only(procfile_commands()["web"]).replace("${PORT:-8000}", str(port))
        command = f"{command} {self.settings.web_options}".strip()
        extra = {"PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        process = self.run(name, command, self.app_env(**extra))
        url = self.host_urls[index]
        wait_until(
            lambda: answers(f"{url}/healthz") or not process.alive(),
            STARTUP_SECONDS,
            explain=lambda: f"{name} to answer",
        )
        assert process.alive(), f"{name} exited at start: {process.log_tail()}"
        return process

    def start_worker(self, index: int) -> Process:
        name = f"worker-{chr(ord('a') + index)}"
        return self.run(name, procfile_commands()["worker"], self.app_env())

    def start_scheduler(self) -> Process:
        return self.run("scheduler", procfile_commands()["scheduler"], self.app_env())

    # Faults and deploys.

    def restart_web(self, index: int) -> None:
        self.processes[self.host_names[index]].stop(timeout=60)
        self.start_web(index)

    def web_pids(self) -> dict[str, int]:
        return {
            name: pid for name, pid in self.pids().items() if name.split("/")[0] in self.host_names
        }

    def kill_web(self, index: int) -> None:
        """kill -9 of the host's gunicorn master and its workers at once, as a host dies."""
        process = self.processes[self.host_names[index]]
        pids = [process.pid, *process.children()]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        process.popen.wait(timeout=10)

    def kill_worker(self, index: int) -> None:
        name = f"worker-{chr(ord('a') + index)}"
        process = self.processes[name]
        for pid in [process.pid, *process.children()]:  # the job's work horse too
            os.kill(pid, signal.SIGKILL)
        process.popen.wait(timeout=10)
        self.start_worker(index)

    def rolling_deploy(self) -> list[float]:
        """Each host in turn: its web host and worker stopped politely (gunicorn lets requests
        finish, the worker its job) and started again; the seconds each host was out."""
        took = []
        for index in range(self.settings.hosts):
            started = time.monotonic()
            self.processes[self.host_names[index]].stop(timeout=60)
            self.start_web(index)
            self.processes[f"worker-{chr(ord('a') + index)}"].stop(timeout=60)
            self.start_worker(index)
            took.append(time.monotonic() - started)
        return took

    # What runs.

    def pids(self) -> dict[str, int]:
        """Every live process by a name: masters and their workers (`web-a/1234`), workers,
        the scheduler, the sandbox's processes, the front's."""
        found = {}
        for name, process in self.processes.items():
            if not process.alive():
                continue
            found[name] = process.pid
            for child in sorted(process.children()):
                found[f"{name}/{child}"] = child
        if self.front:
            found.update(self.front.pids())
        return found


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1, verify=False).status_code < 500
    except requests.RequestException:
        return False
