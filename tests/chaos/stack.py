"""The stack under test: the Procfile's web, worker and scheduler, and the sandbox provider over
HTTP. Each process reaches Redis, Postgres and the provider through its own fault proxy, so a
test can cut, freeze or slow each one without touching the machine's shared servers."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import redis
import requests
from rq import Worker

from sandbox.client import SandboxControl
from tests.chaos.processes import Process, local_only, procfile_commands
from tests.chaos.proxy import FaultProxy
from tests.support.processes import closed_port
from tests.support.waiting import wait_until

# Short timeouts and intervals, so each fault plays out in seconds. Settings an older version
# of the app does not read are simply ignored by it.
SETTINGS = {
    "APP_ENV": "test",
    "SECRET_KEY": "chaos-suite-secret-key-of-more-than-32-bytes",
    "WEB_CONCURRENCY": "1",
    "DEFAULT_LOCALE": "en",
    "HTTP_CONNECT_TIMEOUT": "0.5",
    "HTTP_READ_TIMEOUT": "1",
    "SYNC_INTERVAL_SECONDS": "3",
    "SYNC_BATCH_SIZE": "10",
    "SYNC_CONCURRENCY": "4",
    "SCHEDULER_POLL_SECONDS": "1",
    "SEND_BACKOFF_SECONDS": "0.2",
    "SEND_MAX_BACKOFF_SECONDS": "1",
    "SEND_CLAIM_SECONDS": "4",
    "SEND_STUCK_AFTER_SECONDS": "2",
    "SEND_SWEEP_SECONDS": "2",
    "OUTAGE_BACKOFF_CAP_SECONDS": "1",
    "SYNC_LOCK_TTL_SECONDS": "6",
    "SYNC_BACKOFF_BASE_SECONDS": "1",
    "SYNC_BACKOFF_CAP_SECONDS": "4",
    "SYNC_PROVIDER_DOWN_PAUSE_SECONDS": "3",
    "PYTHONUNBUFFERED": "1",
}
SANDBOX_PROCESSING_SECONDS = 2
STARTUP_SECONDS = 60


class Stack:
    def __init__(self, database_url: str, redis_url: str):
        self.database_url = database_url
        self.redis_url = redis_url
        self.redis_db = int(urlsplit(redis_url).path.lstrip("/") or 0)
        self.redis = redis.Redis.from_url(redis_url)
        self.redis_proxy = FaultProxy.in_front_of(redis_url, "redis")
        self.postgres_proxy = FaultProxy.in_front_of(database_url, "postgres")
        self.sandbox_port = closed_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.provider_proxy = FaultProxy("127.0.0.1", self.sandbox_port, "provider").start()
        self.sandbox = SandboxControl(self.sandbox_url)
        self.web_port = closed_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.processes: dict[str, Process] = {}

    def proxied_env(self) -> dict:
        """What the app's processes read: every dependency behind its proxy."""
        provider = f"http://127.0.0.1:{self.provider_proxy.port}"
        return {
            **os.environ,
            **SETTINGS,
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "PORT": str(self.web_port),
            "DATABASE_URL": self.postgres_proxy.url(self.database_url),
            "REDIS_URL": self.redis_proxy.url(self.redis_url),
            "LIVE_CHANNEL_PREFIX": f"chaos-{self.redis_db}:",
            "ORDER_SERVICE_BASE_URL": provider,
            "CATALOG_SERVICES_BASE_URL": provider,
        }

    def start(self) -> "Stack":
        self.start_sandbox()
        for name in ("web", "worker", "scheduler"):
            self.start_process(name)
        return self

    def start_sandbox(self) -> None:
        command = (
            f"python -m app.sandbox --host 127.0.0.1 --port {self.sandbox_port} "
            f"--redis-url {self.redis_url} --prefix chaos-sandbox "
            f"--processing-seconds {SANDBOX_PROCESSING_SECONDS}"
        )
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        self.processes["sandbox"] = Process("sandbox", command, env).start()
        wait_until(self.sandbox_answers, STARTUP_SECONDS, explain=lambda: "the sandbox to answer")
        self.sandbox.reset()
        self.sandbox.set_knobs(request_log=1)

    def sandbox_answers(self) -> bool:
        try:
            return requests.get(f"{self.sandbox_url}/_sandbox/stats", timeout=1).ok
        except requests.RequestException:
            return False

    def start_process(self, kind: str, name: str | None = None) -> Process:
        """Start the Procfile's `kind` process (as `name`, for a second one) and wait for it."""
        name = name or kind
        command = local_only(procfile_commands()[kind])
        process = Process(name, command, self.proxied_env())
        offset = process.log_size()
        self.processes[name] = process.start()
        ready = {"web": self.web_answers, "worker": lambda: self.worker_listening(process)}
        check = ready.get(kind, lambda: "periodic-sync-orders" in process.log_since(offset))
        try:
            wait_until(
                lambda: check() or not process.alive(),
                STARTUP_SECONDS,
                explain=lambda: f"{name} to start",
            )
        finally:
            assert process.alive(), f"{name} exited at start:\n{process.log_tail()}"
        return process

    def web_answers(self) -> bool:
        try:
            return requests.get(f"{self.web_url}/healthz", timeout=1).ok
        except requests.RequestException:
            return False

    def worker_listening(self, process: Process) -> bool:
        return any(worker.pid == process.pid for worker in Worker.all(connection=self.redis))

    def restart(self, name: str) -> Process:
        self.processes[name].stop()
        return self.start_process(name)

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        for proxy in (self.redis_proxy, self.postgres_proxy, self.provider_proxy):
            proxy.stop()

    def __getitem__(self, name: str) -> Process:
        return self.processes[name]
