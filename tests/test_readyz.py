"""`/readyz`: Postgres, Redis, a worker seen lately, a recent status sync; 503 names what fails.
`/healthz` stays a plain liveness check."""

import signal

import pytest

from app.extensions import get_redis
from app.orders.sync import run_sync
from tests.support.processes import WorkerProcess, closed_port, process_environment
from tests.support.waiting import wait_until

READY = ["postgres", "redis", "worker", "sync"]


def readiness(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.get_json()


@pytest.fixture
def app(make_app):
    """A worker counts as gone after 2 s without a heartbeat; a sync after 3 s."""
    app = make_app(READY_WORKER_SECONDS=2, SYNC_INTERVAL_SECONDS=1, WORKER_HEARTBEAT_SECONDS=0.5)
    with app.app_context():
        yield app


@pytest.fixture
def worker_process(app):
    env = process_environment(app.config)
    worker = WorkerProcess(env, app.config["REDIS_URL"], log_name="readyz-worker.log").start()
    yield worker
    worker.stop()


def test_ready_with_a_live_worker_and_a_recent_sync(client, worker_process):
    run_sync()
    status, body = readiness(client)
    assert (status, body["status"], body["failing"]) == (200, "ready", [])
    assert body["checks"] == {name: "ok" for name in READY}


def test_not_ready_before_any_sync_and_without_a_worker(client):
    status, body = readiness(client)
    assert status == 503
    assert body["failing"] == ["sync", "worker"]
    assert body["checks"]["sync"] == "no status sync has run yet"
    assert body["checks"]["worker"] == "no worker seen in the last 2 s"
    assert body["checks"]["postgres"] == body["checks"]["redis"] == "ok"


def test_503_once_the_worker_stops(client, worker_process):
    run_sync()
    assert readiness(client)[0] == 200
    worker_process.stop()  # a clean stop: RQ removes the worker at once
    status, body = readiness(client)
    assert status == 503 and "worker" in body["failing"]
    assert body["checks"]["worker"] == "no worker seen in the last 2 s"


def test_503_when_the_worker_dies_without_a_word(client, worker_process):
    run_sync()
    assert readiness(client)[0] == 200
    worker_process.process.send_signal(signal.SIGKILL)  # its RQ record stays behind, silent
    worker_process.process.wait(timeout=5)
    _, body = wait_until(lambda: (r := readiness(client))[0] == 503 and r, seconds=10)
    assert "worker" in body["failing"]  # (the 3 s old sync may have gone stale meanwhile)
    assert body["checks"]["worker"] == "no worker seen in the last 2 s"


def test_503_when_the_sync_is_three_intervals_old(client, worker_process):
    run_sync()
    assert readiness(client)[0] == 200
    _, body = wait_until(lambda: (r := readiness(client))[0] == 503 and r, seconds=10)
    assert body["failing"] == ["sync"]
    assert "the last status sync ran" in body["checks"]["sync"]


def test_503_when_redis_is_down(make_app):
    client = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0").test_client()
    status, body = readiness(client)
    assert status == 503
    assert body["failing"] == ["redis", "sync", "worker"]
    assert body["checks"]["postgres"] == "ok"


def test_503_when_postgres_is_down(make_app):
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/nothing"
    client = make_app(SQLALCHEMY_DATABASE_URI=url).test_client()
    status, body = readiness(client)
    assert status == 503 and "postgres" in body["failing"]
    assert body["checks"]["postgres"].startswith("not answering")


def test_healthz_stays_a_liveness_check(make_app):
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/nothing"
    client = make_app(SQLALCHEMY_DATABASE_URI=url).test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_a_worker_registers_again_after_redis_lost_its_record(client, app, worker_process):
    get_redis().flushdb()  # as after a restart of a Redis that keeps nothing on disk
    assert readiness(client)[1]["checks"]["worker"] != "ok"
    wait_until(lambda: readiness(client)[1]["checks"]["worker"] == "ok", seconds=10)
