"""One log line per request and per job, with a request id that the jobs a request queues
carry along; plain text by default, JSON objects with LOG_FORMAT=json."""

import json
import logging
import re

import pytest

from app.logs import configure_logging
from app.queue import get_send_queue, get_send_scheduler

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def app(make_app):
    """A failed send is retried a minute later, through rq-scheduler."""
    app = make_app(SEND_BACKOFF_SECONDS=60)
    with app.app_context():
        yield app


@pytest.fixture
def log_lines(capsys):
    """Configure logging as the processes do; yield a reader of the lines written since."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    for name in ("app.requests", "app.jobs"):
        logging.getLogger(name).disabled = False  # see tests/support/logs.py

    def configure(log_format: str):
        configure_logging({"LOG_FORMAT": log_format, "LOG_LEVEL": "INFO"})
        capsys.readouterr()
        return lambda: capsys.readouterr().err.splitlines()

    yield configure
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_each_request_gets_an_id_and_echoes_a_sane_one(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert HEX_ID.fullmatch(made)
    assert (
        client.get("/healthz", headers={"X-Request-ID": "edge-42.a"}).headers["X-Request-ID"]
        == "edge-42.a"
    )
    for bad in ("bad id {json}", "x" * 65):
        replaced = client.get("/healthz", headers={"X-Request-ID": bad})
        assert HEX_ID.fullmatch(replaced.headers["X-Request-ID"])


def test_one_plain_line_per_request(client, log_lines):
    read = log_lines("plain")
    client.get("/healthz?probe=1", headers={"X-Request-ID": "req-1"})
    lines = [line for line in read() if "app.requests" in line]
    assert len(lines) == 1
    assert re.search(r"INFO app\.requests \[req-1\] GET /healthz\?probe=1 200 [\d.]+ms$", lines[0])


def test_one_json_object_per_request(client, log_lines, logged_in):
    read = log_lines("json")
    client.get("/catalog/no-such-page", headers={"X-Request-ID": "req-2"})
    [line] = [line for line in read() if '"app.requests"' in line]
    record = json.loads(line)
    assert record["request_id"] == "req-2"
    assert (record["method"], record["path"], record["status"]) == (
        "GET",
        "/catalog/no-such-page",
        404,
    )
    assert record["route"] == "<unmatched>" and record["level"] == "INFO"
    assert record["user_id"] == logged_in.id and record["duration_ms"] >= 0


def test_a_send_job_logs_one_line_under_the_requests_id(client, draft, run_jobs, log_lines):
    read = log_lines("plain")
    client.post(f"/orders/{draft.id}/send", headers={"X-Request-ID": "click-7"})
    job = get_send_queue().fetch_job(f"send-order-{draft.id}")
    assert job.meta["request_id"] == "click-7"
    run_jobs()
    jobs = [line for line in read() if "app.jobs" in line]
    assert len(jobs) == 1
    assert re.search(
        rf"\[click-7\] job app\.orders\.jobs\.submit_order send-order-{draft.id} finished", jobs[0]
    )


def test_a_retry_scheduled_for_later_keeps_the_id(client, draft, run_jobs, sandbox):
    sandbox.add_faults("order_create", {"status": 503})
    client.post(f"/orders/{draft.id}/send", headers={"X-Request-ID": "click-8"})
    run_jobs()
    [retry] = get_send_scheduler().get_jobs()
    assert retry.meta["request_id"] == "click-8"
