"""The processes behind the browser: the app over HTTP, a real RQ worker, and the sync's clock."""

import subprocess
import sys
import threading
from pathlib import Path

import redis
from flask import Flask
from rq import Queue, Worker
from rq.registry import StartedJobRegistry
from werkzeug.serving import make_server

from app.queue import get_queue
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SYNC_JOB = "app.orders.jobs.sync_orders"


class LiveServer:
    """The app served for real by a threaded werkzeug server on a free port."""

    def __init__(self, app: Flask):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class WorkerProcess:
    """`python worker.py` in its own process (RQ installs signal handlers in its main thread)."""

    def __init__(self, env: dict, redis_url: str):
        self.env = env
        self.redis = redis.Redis.from_url(redis_url)
        self.log_path = ARTIFACTS / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "WorkerProcess":
        ARTIFACTS.mkdir(exist_ok=True)
        log = self.log_path.open("wb")
        command = [sys.executable, "worker.py"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.wait_until_listening(timeout)
        return self

    def listening(self) -> bool:
        return any(w.pid == self.process.pid for w in Worker.all(connection=self.redis))

    def wait_until_listening(self, timeout: float) -> None:
        """Until the worker has registered with RQ; stopped again if it never does."""
        try:
            wait_until(
                lambda: self.process.poll() is not None or self.listening(),
                seconds=timeout,
                step=0.1,
                explain=lambda: "worker.py did not start:\n" + self.log_tail(),
            )
            assert self.process.poll() is None, "worker.py exited:\n" + self.log_tail()
        except AssertionError:
            self.stop()
            raise

    def wait_until_idle(self, queues: list[Queue], timeout: float = 10) -> None:
        """Until no job is queued or running, so none outlives the test that caused it."""
        running = [StartedJobRegistry(queue=queue) for queue in queues]
        wait_until(
            lambda: not any(q.count for q in queues) and not any(r.count for r in running),
            seconds=timeout,
            step=0.05,
            explain=lambda: "the worker is still busy:\n" + self.log_tail(),
        )

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class SyncClock:
    """Plays the scheduler's part on a short interval: queues the real periodic sync job for
    the worker whenever the queue is empty (rq-scheduler polls only every few seconds)."""

    def __init__(self, app: Flask, every: float):
        self.app = app
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with self.app.app_context():
            queue = get_queue()
            while not self.stopped.wait(self.every):
                if queue.count == 0:
                    queue.enqueue(SYNC_JOB, result_ttl=10)

    def __enter__(self) -> "SyncClock":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
