"""scheduler.py registers the periodic sync once, however often and wherever it starts."""

import logging
import subprocess
import sys
import time
from pathlib import Path

from rq.job import Job

from app.queue import get_queue, make_worker
from scheduler import make_scheduler, register_periodic_jobs
from tests.support.orders import processing_orders, statuses
from tests.support.processes import process_environment
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
JOB_ID = "periodic-sync-orders"


def registry(app) -> list[tuple[Job, object]]:
    return list(make_scheduler(app).get_jobs(with_times=True))


def test_registering_twice_keeps_one_periodic_job(app, caplog):
    caplog.set_level(logging.INFO, logger="scheduler")
    assert register_periodic_jobs(make_scheduler(app), 60) == [JOB_ID]
    [(job, first_time)] = registry(app)

    assert register_periodic_jobs(make_scheduler(app), 60) == []

    [(again, second_time)] = registry(app)
    assert again.id == job.id == JOB_ID and second_time == first_time
    assert again.func_name == "app.orders.jobs.sync_orders"
    assert again.meta["interval"] == 60
    assert "registered periodic job periodic-sync-orders" in caplog.text
    assert "already registered" in caplog.text


def test_a_new_interval_replaces_the_entry_under_the_same_id(app):
    register_periodic_jobs(make_scheduler(app), 60)
    assert register_periodic_jobs(make_scheduler(app), 30) == [JOB_ID]
    [(job, _)] = registry(app)
    assert job.meta["interval"] == 30


def test_the_scheduled_job_runs_the_sync_in_a_worker(app, user, sandbox, restore_signals):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state="done")
    scheduler = make_scheduler(app)
    register_periodic_jobs(scheduler, 60)

    scheduler.enqueue_jobs()
    make_worker(app).work(burst=True)

    assert statuses() == {"done": 1}
    [(job, next_time)] = registry(app)
    assert job.id == JOB_ID and next_time.timestamp() > time.time() + 50


def start_scheduler_process(app, log_path: Path) -> subprocess.Popen:
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "scheduler.py")],
            cwd=ROOT,
            env=process_environment(app.config),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def both_running(log_paths: list[Path]) -> bool:
    """Each scheduler has registered the job and entered its loop (rq-scheduler's log line)."""
    texts = [path.read_text() for path in log_paths]
    return all(JOB_ID in text and "Registering birth" in text for text in texts)


def test_two_scheduler_processes_give_one_periodic_job_and_one_run(app, tmp_path):
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [start_scheduler_process(app, path) for path in logs]
    try:
        wait_until(lambda: both_running(logs), seconds=15)
        wait_until(lambda: JOB_ID in get_queue().job_ids, seconds=15)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)

    [(job, next_time)] = registry(app)
    assert job.id == JOB_ID
    assert get_queue().job_ids.count(JOB_ID) == 1
    assert app.config["SCHEDULER_POLL_SECONDS"] <= 5
