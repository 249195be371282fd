"""Metrics across processes (prometheus-client's multiprocess mode): gunicorn's workers add up,
and what `python worker.py` counts shows on the web app's `/metrics`."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.metrics import moved, parse, scrape, value
from tests.support.orders import reload
from tests.support.processes import (
    ROOT,
    WorkerProcess,
    dies_with_the_tests,
    process_environment,
    stop_process,
)
from tests.support.waiting import wait_until

P = "clicktomice"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
METRICS = re.compile(r"metrics served on http://127\.0\.0\.1:(\d+)/metrics")


class Gunicorn:
    """`gunicorn wsgi:app` as the Procfile runs it (its gevent workers, 2 of them), on free
    ports."""

    def __init__(self, env: dict, log_path: Path):
        self.log_path = log_path
        command = [
            *(sys.executable, "-m", "gunicorn", "wsgi:app", "--config", "gunicorn.conf.py"),
            *("--bind", "127.0.0.1:0", "--workers", "2"),
        ]
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=log, preexec_fn=dies_with_the_tests
            )

    def port(self, pattern: re.Pattern) -> int:
        def found():
            match = pattern.search(self.log_path.read_text(errors="replace"))
            return match and int(match.group(1))

        return wait_until(found, seconds=30, step=0.1, explain=self.log_path.read_text)

    def both_workers_booted(self) -> bool:
        return self.log_path.read_text(errors="replace").count("Booting worker") >= 2

    def stop(self) -> None:
        stop_process(self.process, grace=15)


@pytest.fixture
def gunicorn(app, tmp_path):
    env = {
        **process_environment(app.config),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "METRICS_ADDRESS": "127.0.0.1:0",
        "METRICS_TOKEN": "scrape-token",
    }
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    yield server
    server.stop()


def test_gunicorn_workers_add_up_on_both_addresses(gunicorn, tmp_path):
    app_url = f"http://127.0.0.1:{gunicorn.port(LISTENING)}"
    metrics_url = f"http://127.0.0.1:{gunicorn.port(METRICS)}/metrics"
    wait_until(gunicorn.both_workers_booted, seconds=30, step=0.1)
    with requests.Session() as session:
        for _ in range(40):
            assert session.get(f"{app_url}/healthz", timeout=10).status_code == 200
        on_the_side = parse(session.get(metrics_url, timeout=10).text)
        token = {"Authorization": "Bearer scrape-token"}
        in_the_app = parse(session.get(f"{app_url}/metrics", headers=token, timeout=10).text)
        refused = session.get(f"{app_url}/metrics", timeout=10)
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(on_the_side, f"{P}_http_requests_total", **healthz) == 40
    assert value(in_the_app, f"{P}_http_requests_total", **healthz) == 40
    assert refused.status_code == 401
    pids = {path.stem.rsplit("_", 1)[1] for path in (tmp_path / "metrics").glob("counter_*.db")}
    assert len(pids) >= 2, "each gunicorn worker keeps its own file"


def test_the_workers_sends_show_on_the_web_apps_metrics(make_app, tmp_path, draft, client):
    directory = tmp_path / "metrics"
    web = make_app(PROMETHEUS_MULTIPROC_DIR=str(directory)).test_client()
    env = {**process_environment(make_app().config), "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    worker = WorkerProcess(env, make_app().config["REDIS_URL"], log_name="metrics-worker.log")
    worker.start()
    try:
        before = scrape(web)
        client.post(f"/orders/{draft.id}/send")
        wait_until(lambda: reload(draft.id).status == "in_processing", seconds=15)
        sends = f"{P}_order_sends_total"
        wait_until(lambda: moved(before, scrape(web), sends, outcome="registered"))
    finally:
        worker.stop()
    after = scrape(web)  # the worker process is gone; its counters stay in the sums
    assert moved(before, after, f"{P}_order_sends_total", outcome="registered") == 1
    count = f"{P}_provider_request_duration_seconds_count"
    assert value(after, count, service="order_service", endpoint="register") == 1
