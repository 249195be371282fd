"""worker.py lives through Redis and Postgres outages; a process that must stop says why in one
line and exits 1; a stalled or full database gives the styled 503 within its bounds."""

import os
import time

import psycopg2
import pytest
from sqlalchemy import text
from werkzeug.test import Client

from app.extensions import db
from app.orders import jobs
from tests.chaos.proxy import FaultProxy
from tests.support.auth import EMAIL, PASSWORD
from tests.support.processes import start_script
from tests.support.waiting import wait_until


@pytest.mark.parametrize("script", ["worker.py", "scheduler.py"])
def test_a_process_started_while_redis_is_away_waits_for_it(app, tmp_path, script):
    proxy = FaultProxy.in_front_of(app.config["REDIS_URL"])
    proxy.cut()
    log = tmp_path / "process.log"
    url = proxy.url(app.config["REDIS_URL"])
    process = start_script(app.config, script, log, REDIS_URL=url, OUTAGE_BACKOFF_CAP_SECONDS="1")
    try:
        wait_until(lambda: "Redis unavailable" in log.read_text(), seconds=15)
        assert process.poll() is None
        proxy.restore()
        wait_until(lambda: "Redis is back" in log.read_text(), seconds=15)
    finally:
        process.terminate()
        process.wait(timeout=15)
        proxy.stop()
    assert log.read_text().count("Redis unavailable") == 1
    assert process.returncode == 0  # stopped as asked


@pytest.mark.parametrize(
    "script,setting,wanted",
    [
        ("worker.py", "HTTP_READ_TIMEOUT", "a number"),
        ("scheduler.py", "SYNC_INTERVAL_SECONDS", "a whole number"),
    ],
)
def test_a_process_with_a_bad_setting_exits_with_one_clear_line(
    app, tmp_path, script, setting, wanted
):
    log = tmp_path / "process.log"
    process = start_script(app.config, script, log, **{setting: "soon"})
    assert process.wait(timeout=30) == 1
    [line] = log.read_text().strip().splitlines()
    assert line == f"Click to Mice will not start: {setting} must be {wanted}, not 'soon'"


def test_a_job_postpones_itself_while_postgres_is_down_and_says_so_once(make_app, caplog):
    down = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:1/none")
    with down.app_context():
        first, second = jobs.requeue_sends(), jobs.sync_orders()
    assert first.startswith("postponed until Postgres answers: OperationalError")
    assert second.startswith("postponed")
    warnings = [r.getMessage() for r in caplog.records if "Postgres unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert down.extensions["database_outage"].ongoing


def frozen_database_app(make_app, proxy: FaultProxy, **settings):
    url = proxy.url(make_app().config["SQLALCHEMY_DATABASE_URI"])
    return make_app(SQLALCHEMY_DATABASE_URI=url, **settings)


def test_a_frozen_database_gives_up_after_its_deadline(make_app):
    proxy = FaultProxy.in_front_of(make_app().config["SQLALCHEMY_DATABASE_URI"])
    app = frozen_database_app(make_app, proxy, DATABASE_STATEMENT_TIMEOUT_SECONDS=0.5)
    try:
        with app.app_context():
            assert db.session.execute(text("SELECT 1")).scalar() == 1
            proxy.freeze()
            started = time.monotonic()
            with pytest.raises(Exception, match="no answer within 1 s"):
                db.session.execute(text("SELECT 2"))
            assert time.monotonic() - started < 3
            db.session.rollback()
            proxy.restore()
            assert db.session.execute(text("SELECT 3")).scalar() == 3  # a fresh connection
    finally:
        proxy.stop()


def test_a_full_pool_waits_its_timeout_to_the_fraction_then_says_busy(make_app, user):
    app = make_app(
        DATABASE_POOL_TIMEOUT_SECONDS=0.6, DATABASE_POOL_SIZE=1, DATABASE_POOL_OVERFLOW=0
    )
    with app.app_context():
        held = db.engine.connect()  # the pool's only connection
        try:
            client = app.test_client()
            started = time.monotonic()
            response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
            waited = time.monotonic() - started
        finally:
            held.close()
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 5
    assert b"very busy" in response.data and b"not answering" not in response.data
    assert waited >= 0.55  # not cut to whole seconds (0)


def test_a_rollback_that_fails_as_a_request_ends_leaves_its_answer_whole(
    make_app, monkeypatch, caplog
):
    """Postgres stops answering just as a request ends: the session's rollback gives up at its
    deadline (simulated here at the driver's call, as the wait callback raises it). The answer
    already made goes out, not the web server's bare 500, and the next request works."""
    app = make_app()

    @app.post("/_test/made-then-frozen")
    def made_then_frozen():
        db.session.execute(text("SELECT 1"))  # a transaction left for the teardown to end
        monkeypatch.setattr(type(db.engine.dialect), "do_rollback", frozen_rollback)
        return "made", 201

    def frozen_rollback(self, dbapi_connection):
        monkeypatch.undo()
        raise psycopg2.OperationalError("could not receive data from server: no answer within 1 s")

    client = Client(app)  # plain WSGI, as the web server calls it
    response = client.post("/_test/made-then-frozen")
    assert response.status_code == 201 and response.get_data(as_text=True) == "made"
    assert any("did not end cleanly" in record.getMessage() for record in caplog.records)
    with app.app_context():
        assert db.session.execute(text("SELECT 2")).scalar() == 2


def test_the_worker_runs_below_the_webs_cpu_priority(app, tmp_path):
    """On a machine they share, the worker's jobs (the minute's sync) yield the CPU to pages."""
    ours = os.getpriority(os.PRIO_PROCESS, 0)  # what the worker starts with
    process = start_script(app.config, "worker.py", tmp_path / "worker.log", WORKER_NICENESS="7")
    try:
        lowered = min(19, ours + 7)
        wait_until(lambda: os.getpriority(os.PRIO_PROCESS, process.pid) == lowered, seconds=30)
    finally:
        process.terminate()
        process.wait(timeout=15)
