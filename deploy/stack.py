"""A production-like deployment on this machine: nginx with TLS in front of two web hosts,
PgBouncer in transaction mode in front of Postgres, a worker per host, one scheduler and the
sandbox provider. `python -m deploy.stack COMMAND` (the Makefile's `stack`, `stack-stop`,
`deploy`):

    run      start everything, then wait; Ctrl-C (or SIGTERM) stops everything
    start    start whatever is not running (also after a process died), then return
    stop     stop everything
    deploy   the migrations, then each host in turn: its web process replaced without closing
             its port, its worker replaced after finishing its job; then the scheduler
    pids     each process's name and pid (a web host's workers are its master's children)
    kill     `kill HOST`: SIGKILL a web host's master and its workers, as if the machine died

Every port and directory comes from the environment (deploy/settings.py); a run directory
(STACK_DIR, default .stack/) holds the configurations, pid files (pids/NAME.pid), logs
(logs/NAME.log) and the generated secret key and certificate.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from prometheus_client import multiprocess

from deploy.files import write_run_files
from deploy.processes import (
    StackError,
    alive,
    answers,
    children,
    kill_tree,
    launch,
    log_tail,
    read_pid,
    signal_pid,
    stop_pids,
    wait_until,
)
from deploy.settings import ROOT, StackSettings

BIN = Path(sys.executable).parent
NGINX = "/usr/sbin/nginx"
PGBOUNCER = "/usr/sbin/pgbouncer"
START_SECONDS = 60
WORKER_FINISH_SECONDS = 60  # a worker told to stop finishes its job first (RQ's warm shutdown)
WEB_GRACEFUL_SECONDS = 40  # gunicorn's graceful timeout (30 s) and some


class Stack:
    def __init__(self, settings: StackSettings | None = None):
        self.settings = settings or StackSettings.from_env()

    # Where things are.
    def pid_file(self, name: str) -> Path:
        return self.settings.path("pids", f"{name}.pid")

    def log(self, name: str) -> Path:
        return self.settings.path("logs", f"{name}.log")

    def pid(self, name: str) -> int | None:
        return read_pid(self.pid_file(name))

    def names(self) -> list[str]:
        """In the order they start; they stop the other way round."""
        hosts = self.settings.hosts
        workers = [f"worker-{number}" for number in range(1, len(hosts) + 1)]
        return ["sandbox", "pgbouncer", *hosts, *workers, "scheduler", "nginx"]

    def pids(self) -> dict[str, int | None]:
        return {name: self.pid(name) for name in self.names()}

    def environment(self, host: str | None = None) -> dict:
        """The app's production settings; a host's processes share its metrics directory."""
        env = {**os.environ, **self.settings.app_environment()}
        env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if host is not None:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.settings.path("metrics", host))
            env["WEB_READY_DIR"] = str(self.settings.path("ready", host))
        return env

    # Setting up.
    def prepare(self) -> None:
        """The run directory's files, the database (created, migrated, the test user seeded)."""
        write_run_files(self.settings)
        env = {
            **self.environment(),
            "DATABASE_URL": self.settings.direct_database_url(),
            "DATABASE_STATEMENT_TIMEOUT_SECONDS": "0",  # the release: no statement timeout
            "DATABASE_STARTUP_OPTIONS": "1",
        }
        release = [str(BIN / "python"), "-m", "deploy.release"]
        done = subprocess.run(release, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise StackError(f"the release (migrations) failed:\n{done.stderr[-2000:]}")

    # Starting.
    def start(self, prepare: bool = True) -> None:
        """Start each process that is not running, in order, each once the one it needs answers
        (`prepare=False`: the files and the database are known to be ready)."""
        if prepare:
            self.prepare()
        for name in self.names():
            if not alive(self.pid(name)):
                self.start_process(name)

    def start_process(self, name: str) -> None:
        starters = {"sandbox": self.start_sandbox, "pgbouncer": self.start_pgbouncer}
        starters.update({"scheduler": self.start_scheduler, "nginx": self.start_nginx})
        if name.startswith("web-"):
            self.start_web(name)
        elif name.startswith("worker-"):
            self.start_worker(name)
        else:
            starters[name]()

    def start_sandbox(self) -> None:
        port = self.settings.sandbox_port
        # The sandbox stands in for the provider's own machines: here it only takes the CPU the
        # desk leaves, as the worker does (WORKER_NICENESS).
        command = ["nice", "-n", "10", str(BIN / "python"), "-m", "app.sandbox"]
        command += ["--host", "127.0.0.1"]
        self.launch("sandbox", [*command, "--port", str(port)], self.environment())
        self.wait_for_port("sandbox", port)

    def start_pgbouncer(self) -> None:
        config = self.settings.path("pgbouncer.ini")
        self.launch("pgbouncer", [PGBOUNCER, str(config)], self.environment())
        self.wait_for_port("pgbouncer", self.settings.pgbouncer_port)

    def start_web(self, host: str) -> None:
        port = self.settings.web_ports[self.settings.hosts.index(host)]
        self.clear_host_files(host)
        command = [
            *(str(BIN / "gunicorn"), "wsgi:app", "--config", "gunicorn.conf.py"),
            *("--bind", f"127.0.0.1:{port}", "--pid", str(self.pid_file(host))),
            *("--control-socket", str(self.settings.path(f"{host}.ctl"))),
        ]
        self.pid_file(host).unlink(missing_ok=True)
        launch(command, self.environment(host), self.log(host), None)  # gunicorn writes its pid
        self.wait(host, lambda: self.web_answers(host), f"{host} on port {port}")

    def clear_host_files(self, host: str) -> None:
        """The metrics start at zero with the host, unless its worker still writes there: then
        only the gauges of the host's dead processes go (a killed master told nobody)."""
        ready, metrics = self.settings.path("ready", host), self.settings.path("metrics", host)
        worker_running = alive(self.pid(host.replace("web-", "worker-")))
        for path in (ready,) if worker_running else (ready, metrics):
            path.mkdir(parents=True, exist_ok=True)
            for stale in path.iterdir():
                stale.unlink()
        metrics.mkdir(parents=True, exist_ok=True)
        dead = {
            int(pid) for f in metrics.glob("*.db") if (pid := f.stem.rsplit("_", 1)[-1]).isdigit()
        }
        for pid in dead:
            if not alive(pid):
                multiprocess.mark_process_dead(pid, str(metrics))

    def start_worker(self, name: str) -> None:
        host = name.replace("worker-", "web-")
        self.launch(name, [str(BIN / "python"), "worker.py"], self.environment(host))

    def start_scheduler(self) -> None:
        self.launch("scheduler", [str(BIN / "python"), "scheduler.py"], self.environment())

    def start_nginx(self) -> None:
        run = str(self.settings.run_dir)
        command = [NGINX, "-p", run, "-c", f"{run}/nginx.conf", "-e", f"{run}/nginx-error.log"]
        self.launch("nginx", [*command, "-g", "daemon off;"], self.environment())
        self.wait("nginx", self.nginx_answers, f"nginx on {self.settings.url}")

    def launch(self, name: str, command: list[str], env: dict) -> None:
        launch(command, env, self.log(name), self.pid_file(name))

    # Waiting.
    def wait(self, name: str, condition, what: str, seconds: float = START_SECONDS) -> None:
        def ready_or_dead() -> bool:
            pid = self.pid(name)
            return condition() or (pid is not None and not alive(pid))

        wait_until(ready_or_dead, seconds, what)
        if not condition():
            raise StackError(f"{what} exited at start-up:\n{log_tail(self.log(name))}")

    def wait_for_port(self, name: str, port: int) -> None:
        self.wait(name, lambda: answers(port), f"{name} on port {port}")

    def web_answers(self, host: str) -> bool:
        return self.answers(self.settings.host_url(host) + "/healthz")

    def nginx_answers(self) -> bool:
        return self.answers(self.settings.url + "/healthz", self.settings.certificate)

    @staticmethod
    def answers(url: str, certificate: Path | None = None) -> bool:
        try:
            return requests.get(url, timeout=2, verify=str(certificate)).status_code == 200
        except requests.RequestException:
            return False

    # Stopping.
    def stop(self) -> None:
        """nginx first (no new customers), then the rest in the reverse order of the start."""
        for name in reversed(self.names()):
            pid = self.pid(name)
            if alive(pid):
                stop_pids([pid], signal.SIGTERM, self.stop_seconds(name))
            self.pid_file(name).unlink(missing_ok=True)

    @staticmethod
    def stop_seconds(name: str) -> float:
        if name.startswith("worker-"):
            return WORKER_FINISH_SECONDS
        return WEB_GRACEFUL_SECONDS if name.startswith("web-") else 10

    def kill(self, host: str) -> list[int]:
        """SIGKILL a web host's master and workers at once; the pids killed."""
        pid = self.pid(host)
        if not alive(pid):
            raise StackError(f"{host} is not running")
        killed = [pid, *children(pid)]
        kill_tree(pid)
        wait_until(lambda: not any(map(alive, killed)), 10, f"{host} killed")
        return killed

    # Deploying.
    def deploy(self) -> None:
        """Migrations first (they must suit the running version too: README, "Deploys"), then
        one host at a time, so the other always serves; then the scheduler."""
        self.step("migrations", self.prepare)
        for host in self.settings.hosts:
            self.step(host, lambda host=host: self.replace_web(host))
            worker = host.replace("web-", "worker-")
            self.step(worker, lambda worker=worker: self.replace_worker(worker))
        self.step("scheduler", lambda: self.replace("scheduler", self.start_scheduler, 10))

    @staticmethod
    def step(name: str, action) -> None:
        started = time.monotonic()
        action()
        print(f"deploy: {name} done in {time.monotonic() - started:.1f} s", flush=True)

    def replace_web(self, host: str) -> None:
        """gunicorn's own graceful upgrade: on USR2 the master starts a new master (the new code)
        on the same listening socket; once all its workers have loaded the app, the old master
        is told to stop (SIGTERM): it accepts nothing more, ends its live streams so that their
        browsers reconnect, and finishes its requests. The port never closes."""
        old = self.pid(host)
        if not alive(old):
            self.start_web(host)
            return
        new_pid_file = Path(f"{self.pid_file(host)}.2")
        signal_pid(old, signal.SIGUSR2)
        wait_until(lambda: read_pid(new_pid_file) is not None, START_SECONDS, f"new {host}")
        new = read_pid(new_pid_file)
        self.wait(host, lambda: self.workers_ready(host, new), f"new {host}'s workers")
        stop_pids([old], signal.SIGTERM, WEB_GRACEFUL_SECONDS)
        wait_until(lambda: self.pid(host) == new, 10, f"new {host} promoted")

    def workers_ready(self, host: str, master: int) -> bool:
        workers = children(master)
        ready = self.settings.path("ready", host)
        wanted = self.settings.web_concurrency
        return len(workers) >= wanted and all((ready / str(pid)).exists() for pid in workers)

    def replace_worker(self, name: str) -> None:
        self.replace(name, lambda: self.start_worker(name), seconds=WORKER_FINISH_SECONDS)

    def replace(self, name: str, start, seconds: float) -> None:
        """Start the new process, then stop the old one (a worker finishes its job first)."""
        old = self.pid(name)
        start()
        if alive(old):
            stop_pids([old], signal.SIGTERM, seconds)


def run(stack: Stack) -> None:
    """`make stack`: start, then wait for Ctrl-C or SIGTERM, then stop everything."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell may have ignored it
        signal.signal(sig, stop)
    try:
        stack.start()
        print(f"The desk is served at {stack.settings.url} (test@gmail.com / qwe123).")
        print(f"Logs and pids: {stack.settings.run_dir}/logs, /pids. Ctrl-C stops everything.")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopping the stack...")
    finally:
        stack.stop()


def main(argv: list[str]) -> int:
    stack = Stack()
    command, *rest = argv or ["run"]
    try:
        if command == "run":
            run(stack)
        elif command == "pids":
            lines = []
            for name, pid in stack.pids().items():
                running = [pid, *children(pid)] if alive(pid) else ["-"]
                lines.append(" ".join(map(str, [name, *running])))
            print("\n".join(lines))
        elif command == "kill":
            print(*stack.kill(rest[0]))
        elif command in ("start", "stop", "deploy", "prepare"):
            getattr(stack, command)()
        else:
            print(__doc__)
            return 2
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
