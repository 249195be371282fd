"""The deployment the soak and the tabs benchmark drive: `make stack`'s own (deploy/stack.py:
nginx with TLS, two web hosts, PgBouncer in transaction mode, a worker per host, the scheduler,
the sandbox), on ports, a database and Redis numbers of the benchmarks' own, with Redis and
Postgres reached through the benchmark's fault proxies (tests/chaos/proxy.py):

    web hosts, workers, scheduler ─→ Redis proxy ─→ Redis (database 8)
    web hosts, workers, scheduler ─→ PgBouncer ─→ Postgres proxy ─→ Postgres (clicktomice_soak)

so a fault is played on a proxy, never on the machine's shared servers. The sandbox keeps its
orders in Redis database 9. Its run directory is bench/results/soak/stack/ (logs, pids,
configurations, the certificate).
"""

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from deploy.processes import alive, children, stop_pids
from deploy.settings import StackSettings
from deploy.stack import BIN, WEB_GRACEFUL_SECONDS, Stack
from tests.chaos.proxy import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "bench" / "results" / "soak"


@dataclass
class Ports:
    """The benchmarks' ports (8300-8399 by default)."""

    base: int = 8300

    @property
    def https(self) -> int:
        return self.base + 43  # https://127.0.0.1:8343

    @property
    def sandbox(self) -> int:
        return self.base + 1

    @property
    def pgbouncer(self) -> int:
        return self.base + 32

    def web(self, index: int) -> int:
        return self.base + 11 + index


@dataclass
class SoakOptions:
    database_url: str
    redis_url: str
    sandbox_redis_url: str
    ports: Ports = field(default_factory=Ports)
    hosts: int = 2
    web_concurrency: int = 2
    nginx_connections: int = 4096
    app_env: dict = field(default_factory=dict)  # more settings for every app process
    jobs: bool = True  # the workers and the scheduler too, or the web alone
    sandbox_processing_seconds: float = 60
    run_dir: Path = LOGS / "stack"


class SoakStack(Stack):
    def __init__(self, options: SoakOptions):
        self.options = options
        self.redis_proxy = FaultProxy.in_front_of(options.redis_url, "redis-proxy")
        self.postgres_proxy = FaultProxy.in_front_of(options.database_url, "postgres-proxy")
        ports = options.ports
        super().__init__(
            StackSettings(
                run_dir=options.run_dir,
                https_port=ports.https,
                web_ports=tuple(ports.web(i) for i in range(options.hosts)),
                pgbouncer_port=ports.pgbouncer,
                sandbox_port=ports.sandbox,
                postgres_host="127.0.0.1",
                postgres_port=self.postgres_proxy.port,
                database=make_url(options.database_url).database,
                redis_url=self.redis_proxy.url(options.redis_url),
                web_concurrency=options.web_concurrency,
                nginx_connections=options.nginx_connections,
                app_env=dict(options.app_env),
            )
        )

    @property
    def url(self) -> str:
        return self.settings.url

    @property
    def certificate(self) -> str:
        """What the benchmark's browsers trust: the stack's own certificate."""
        return str(self.settings.path("tls", "cert.pem"))

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.sandbox_port}"

    def names(self) -> list[str]:
        if self.options.jobs:
            return super().names()
        return [n for n in super().names() if not n.startswith("worker-") and n != "scheduler"]

    def start_sandbox(self) -> None:
        """The sandbox on the benchmark's own Redis number, as two processes."""
        command = [
            *(str(BIN / "python"), "-m", "app.sandbox", "--host", "127.0.0.1"),
            *("--port", str(self.settings.sandbox_port), "--workers", "2", "--threads", "32"),
            *("--redis-url", self.options.sandbox_redis_url, "--prefix", "soak-sandbox"),
            *("--processing-seconds", f"{self.options.sandbox_processing_seconds:g}"),
        ]
        self.launch("sandbox", command, self.environment())
        self.wait_for_port("sandbox", self.settings.sandbox_port)

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self.redis_proxy.stop()
            self.postgres_proxy.stop()

    # Faults and deploys.

    def restart_web(self, host: str) -> None:
        """Stopped politely and started again (a cold start of its processes)."""
        stop_pids([self.pid(host)], signal.SIGTERM, WEB_GRACEFUL_SECONDS)
        self.start_web(host)

    def kill_worker(self, name: str) -> None:
        """SIGKILL of a worker and its job's work horse; then started again, as systemd does."""
        pid = self.pid(name)
        for victim in [*children(pid), pid]:
            os.kill(victim, signal.SIGKILL)
        self.start_worker(name)

    # What runs.

    def pids(self) -> dict[str, int]:
        """Every live process by name: `web-1`, its workers `web-1/1234`, the sandbox's, nginx's."""
        found = {}
        for name, pid in super().pids().items():
            if alive(pid):
                found[name] = pid
                found.update({f"{name}/{child}": child for child in children(pid)})
        return found

    def web_pids(self) -> dict[str, int]:
        return {n: p for n, p in self.pids().items() if n.split("/")[0] in self.settings.hosts}

    def front_pids(self) -> dict[str, int]:
        return {n: p for n, p in self.pids().items() if n.split("/")[0] == "nginx"}
