"""worker.py lives through Redis and Postgres outages; a process that must stop says why in one
line and exits 1; a stalled or full database gives the styled 503 within its bounds."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.extensions import db
from app.orders import jobs
from tests.chaos.proxy import FaultProxy
from tests.support.auth import EMAIL, PASSWORD
from tests.support.processes import process_environment
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def start_worker(app, log: Path, **env) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")],
            cwd=ROOT,
            env={**process_environment(app.config), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_a_worker_started_while_redis_is_away_waits_and_then_works(app, tmp_path):
    proxy = FaultProxy.in_front_of(app.config["REDIS_URL"])
    proxy.cut()
    log = tmp_path / "worker.log"
    url = proxy.url(app.config["REDIS_URL"])
    worker = start_worker(app, log, REDIS_URL=url, OUTAGE_BACKOFF_CAP_SECONDS="0.5")
    try:
        wait_until(lambda: "Redis unavailable" in log.read_text(), seconds=15)
        wait_until(lambda: log.read_text().count("\n") >= 1 and worker.poll() is None, 5)
        proxy.restore()
        wait_until(lambda: "Listening on" in log.read_text(), seconds=15)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        proxy.stop()
    assert log.read_text().count("Redis unavailable") == 1
    assert worker.returncode == 0


def test_a_worker_with_a_bad_setting_exits_with_one_clear_line(app, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(app, log, HTTP_READ_TIMEOUT="soon")
    assert worker.wait(timeout=30) == 1
    [line] = log.read_text().strip().splitlines()
    assert "worker stopped: ValueError" in line and "soon" in line


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


def test_a_full_pool_is_a_503_after_the_pool_timeout(make_app, user):
    app = make_app(
        DATABASE_POOL_TIMEOUT_SECONDS=0.3,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.3},
    )
    with app.app_context():
        held = db.engine.connect()  # the pool's only connection
        try:
            client = app.test_client()
            response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
        finally:
            held.close()
    assert response.status_code == 503 and b"database is not answering" in response.data
