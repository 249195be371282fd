"""Processes beside the tests: a port nobody listens on, and worker and scheduler processes
configured as in production, through the environment that `Config.from_env` reads."""

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import redis
from rq import Queue, Worker
from rq.registry import StartedJobRegistry

from app import create_app
from app.queue import make_worker
from tests.support.waiting import wait_until

# Config.from_env's names for the settings a worker needs; DATABASE_URL is mapped separately.
WORKER_ENV = (
    "APP_ENV",
    "SECRET_KEY",
    "REDIS_URL",
    "LIVE_CHANNEL_PREFIX",
    "CATALOG_SERVICES_BASE_URL",
    "CATALOG_SERVICES_API_TOKEN",
    "ORDER_SERVICE_BASE_URL",
    "ORDER_SERVICE_API_TOKEN",
    "HTTP_CONNECT_TIMEOUT",
    "HTTP_READ_TIMEOUT",
    "SYNC_INTERVAL_SECONDS",
    "SYNC_CONCURRENCY",
    "SYNC_BATCH_SIZE",
    "SYNC_FANOUT_THRESHOLD",
    "WORKER_HEARTBEAT_SECONDS",
    "WEBHOOK_ALLOW_LOCAL",
)
START_LINE_KEY = "test:start-line"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def closed_port() -> int:
    """A local port that nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_environment(settings: dict) -> dict:
    """The environment under which `worker.py` or `scheduler.py` works like an app built with
    `settings`."""
    values = {name: str(settings[name]) for name in WORKER_ENV if settings[name] is not None}
    return {**os.environ, **values, "DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"]}


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def dies_with_the_tests() -> None:
    """A `preexec_fn`: the child is killed when the process that started it dies, even by
    SIGKILL, so a test run that is killed leaves no worker behind to take the next run's jobs
    (Linux's parent-death signal; it survives the exec)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def start_script(settings: dict, script: str, log: Path, **env) -> subprocess.Popen:
    """`python <script>` (worker.py, scheduler.py) configured like an app built with
    `settings`, plus `env`, its output going to `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, str(ROOT / script)],
            cwd=ROOT,
            env={**process_environment(settings), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=dies_with_the_tests,
        )


def wait_at_start_line(app, runners: int) -> None:
    """Let worker processes that started at different speeds begin working together."""
    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    connection.incr(START_LINE_KEY)
    wait_until(lambda: int(connection.get(START_LINE_KEY)) >= runners, seconds=30, step=0.01)


def burst_worker_main() -> None:
    """A burst worker process (`python -c`, configured by `process_environment`): waits for the
    other `TEST_WORKERS`, works the queues dry, and prints the ids of the jobs it ran."""
    app = create_app()
    worker = make_worker(app)
    wait_at_start_line(app, int(os.environ["TEST_WORKERS"]))
    executed: list[str] = []
    execute = worker.execute_job

    def counting_execute(job, queue):
        executed.append(job.id)
        return execute(job, queue)

    worker.execute_job = counting_execute
    worker.work(burst=True, logging_level="WARNING")
    print(json.dumps(executed))


class WorkerProcess:
    """`python worker.py` in its own process (RQ installs signal handlers in its main thread)."""

    def __init__(self, env: dict, redis_url: str, log_name: str = "worker.log"):
        self.env = env
        self.redis = redis.Redis.from_url(redis_url)
        self.log_path = ARTIFACTS / log_name
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "WorkerProcess":
        ARTIFACTS.mkdir(exist_ok=True)
        log = self.log_path.open("wb")
        command = [sys.executable, "worker.py"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=dies_with_the_tests,
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

    def wait_until_idle(self, queues: list[Queue], timeout: float = 30) -> None:
        """Until no job is queued or running, so none outlives the test that caused it."""
        running = [StartedJobRegistry(queue=queue) for queue in queues]
        wait_until(
            lambda: not any(q.count for q in queues) and not any(r.count for r in running),
            seconds=timeout,
            step=0.05,
            explain=lambda: "the worker is still busy:\n" + self.log_tail(),
        )

    def paused(self):
        """The worker stopped where it is, then let go on (see `paused`): meanwhile it runs no
        job and beats no heartbeat, however long the test looks."""
        return paused(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


@contextlib.contextmanager
def paused(pid: int):
    """The whole process stopped where it is (SIGSTOP; once every thread has stopped), then let
    go on (SIGCONT): a state that the process would change lasts as long as the test needs."""
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_until(lambda: all_threads_stopped(pid), seconds=30, step=0.01)
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def all_threads_stopped(pid: int) -> bool:
    """Whether every thread of the process is stopped by a signal (state T in /proc)."""
    states = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that just ended
            stat = (task / "stat").read_text()
            states.append(stat[stat.rindex(")") + 2])
    return bool(states) and all(state == "T" for state in states)


def stop_process(process: subprocess.Popen, grace: float = 10) -> None:
    """Ask a process to stop (SIGTERM), and kill it if it has not within `grace` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
