"""A busy hour is not an outage: many logins at once all get in, password checks never hold
the event loop, a busy loop never passes for a silent database, a full queue says "busy",
and nothing after a request's commit can turn it into a 500."""

import json
import os
import subprocess
import sys
import threading

import pytest
import requests
from sqlalchemy import event, insert
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import User, UserSession
from tests.support.auth import EMAIL, PASSWORD
from tests.support.processes import ROOT, closed_port, process_environment
from tests.support.web_process import ARTIFACTS, serve, web_command

CROWD = 40


def run_probe(name: str, **env: str) -> dict:
    """A probe of tests/support/event_loop_probe.py, in a process patched by gevent."""
    command = [sys.executable, "-m", "tests.support.event_loop_probe", name]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout.decode().splitlines()[-1])


def test_a_busy_event_loop_never_passes_for_a_silent_database(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    result = run_probe("connect-while-busy", PROBE_DSN=url.render_as_string(False))
    assert result == {"answer": 42, "error": None}


def test_a_password_check_leaves_the_event_loop_free():
    result = run_probe("hash-off-the-loop")
    assert result["matched"] is True
    assert result["ticks_during_hash"] > 0


def test_a_login_past_the_queue_is_told_busy_and_changes_nothing(make_app, user):
    app = make_app(PASSWORD_HASH_THREADS=1, PASSWORD_HASH_QUEUE=0)
    turns = app.extensions["password_turns"]
    with turns.turn():  # another login's check is running
        response = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 5
    assert b"very busy" in response.data and b"not answering" not in response.data
    with app.app_context():
        assert db.session.query(UserSession).count() == 0
    again = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert again.status_code == 302


def test_the_request_log_reads_nothing_from_the_database_after_the_commit(app, user, caplog):
    since_last_commit: list[str] = []
    engine = db.engine
    record = lambda *args: since_last_commit.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", lambda conn: since_last_commit.clear())
    try:
        with caplog.at_level("INFO", logger="app.requests"):
            response = app.test_client().post("/login", data={"email": EMAIL, "password": PASSWORD})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 302
    assert since_last_commit == []  # not even the user's id is asked for again
    [line] = [r for r in caplog.records if r.name == "app.requests"]
    assert line.user_id == user.id


@pytest.fixture
def crowd(app) -> list[str]:
    """CROWD accounts, sharing one password hash so that making them costs one hash."""
    stored = generate_password_hash(PASSWORD)
    emails = [f"crowd-{n}@example.com" for n in range(CROWD)]
    db.session.execute(insert(User), [{"email": e, "password_hash": stored} for e in emails])
    db.session.commit()
    return emails


@pytest.fixture
def two_process_web(app):
    """The Procfile's web command with two gevent workers, on the test database and Redis."""
    env = {**process_environment(app.config), "WEB_CONCURRENCY": "2"}
    with serve(web_command(closed_port()), env, "busy-web", ARTIFACTS) as server:
        yield server


def log_in(url: str, email: str, start: threading.Barrier) -> tuple[int, int]:
    """Open the login page, wait for the others, submit it; the login's status and the
    dashboard's status afterwards."""
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=60).text
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    start.wait()
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    answer = session.post(f"{url}/login", data=data, timeout=120, allow_redirects=False)
    return answer.status_code, session.get(f"{url}/", timeout=60).status_code


def test_forty_customers_logging_in_at_once_all_get_in(two_process_web, crowd):
    start = threading.Barrier(len(crowd))
    results: dict[str, tuple[int, int]] = {}

    def one(email: str) -> None:
        results[email] = log_in(two_process_web.url, email, start)

    threads = [threading.Thread(target=one, args=(email,)) for email in crowd]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {email: (302, 200) for email in crowd}
