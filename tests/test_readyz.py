"""`/readyz`: Postgres, Redis, a worker seen lately, a recent status sync; 503 when one fails,
and which ones and why only for an operator or a caller with the metrics token (anyone else
learns ready or not ready). `/healthz` stays a plain liveness check."""

import signal

import pytest

from app.extensions import get_redis
from app.orders.sync import run_sync
from tests.support.processes import WorkerProcess, closed_port, process_environment
from tests.support.waiting import wait_until

READY = ["postgres", "redis", "worker", "sync"]
TOKEN = "readiness-probe-token"
WITH_TOKEN = {"Authorization": f"Bearer {TOKEN}"}


def readiness(client, headers: dict | None = None) -> tuple[int, dict]:
    """The status and the body, asked with the metrics token unless other headers are given."""
    response = client.get("/readyz", headers=WITH_TOKEN if headers is None else headers)
    return response.status_code, response.get_json()


@pytest.fixture
def app(make_app):
    """A worker counts as gone after 2 s without a heartbeat; a sync after 3 s."""
    settings = {"READY_WORKER_SECONDS": 2, "SYNC_INTERVAL_SECONDS": 1, "METRICS_TOKEN": TOKEN}
    app = make_app(**settings, WORKER_HEARTBEAT_SECONDS=0.5)
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
    redis_url = f"redis://127.0.0.1:{closed_port()}/0"
    client = make_app(REDIS_URL=redis_url, METRICS_TOKEN=TOKEN).test_client()
    status, body = readiness(client)
    assert status == 503
    assert body["failing"] == ["redis", "sync", "worker"]
    assert body["checks"]["postgres"] == "ok"


def test_503_when_postgres_is_down(make_app):
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/nothing"
    client = make_app(SQLALCHEMY_DATABASE_URI=url, METRICS_TOKEN=TOKEN).test_client()
    status, body = readiness(client)
    assert status == 503 and "postgres" in body["failing"]
    assert body["checks"]["postgres"].startswith("not answering")


def test_healthz_stays_a_liveness_check(make_app):
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/nothing"
    client = make_app(SQLALCHEMY_DATABASE_URI=url).test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_a_worker_registers_again_after_redis_lost_its_record(client, app, worker_process):
    with worker_process.paused():  # no heartbeat puts the record back before it is missed
        get_redis().flushdb()  # as after a restart of a Redis that keeps nothing on disk
        assert readiness(client)[1]["checks"]["worker"] != "ok"
    wait_until(lambda: readiness(client)[1]["checks"]["worker"] == "ok", seconds=30)


def test_anyone_else_learns_only_ready_or_not(client, worker_process):
    assert readiness(client, {}) == (503, {"status": "not ready"})
    run_sync()
    assert readiness(client, {}) == (200, {"status": "ready"})
    wrong = {"Authorization": "Bearer not-the-token"}
    assert readiness(client, wrong) == (200, {"status": "ready"})


def test_a_customer_learns_only_ready_or_not(client, logged_in):
    assert readiness(client, {}) == (503, {"status": "not ready"})


def test_an_operator_sees_every_check(operator_client):
    status, body = readiness(operator_client, {})
    assert status == 503 and body["failing"] == ["sync", "worker"]
    assert body["checks"]["worker"] == "no worker seen in the last 2 s"
    assert operator_client.get("/readyz").headers["Cache-Control"] == "no-store"


def test_without_a_metrics_token_no_bearer_opens_the_details(make_app):
    client = make_app(METRICS_TOKEN=None).test_client()
    for given in ("Bearer ", "Bearer None", "Bearer"):
        assert readiness(client, {"Authorization": given})[1] == {"status": "not ready"}


def test_an_operator_cookie_with_postgres_down_gets_the_status_not_an_error(
    make_app, operator_client
):
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/nothing"
    cut_off = make_app(SQLALCHEMY_DATABASE_URI=url).test_client()
    cut_off.set_cookie("session", operator_client.get_cookie("session").value)
    assert readiness(cut_off, {}) == (503, {"status": "not ready"})
