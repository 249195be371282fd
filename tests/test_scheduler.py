"""scheduler.py registers the periodic jobs once, however often and wherever it starts, and
lives through Redis being away."""

import logging
import time
from pathlib import Path

from rq.job import Job

from app.queue import get_queue, make_scheduler, make_worker
from scheduler import register_periodic_jobs
from tests.support.orders import processing_orders, statuses
from tests.support.processes import start_script
from tests.support.waiting import wait_until

JOB_ID = "periodic-sync-orders"
SWEEP_ID = "periodic-requeue-sends"
WEBHOOK_SWEEP_ID = "periodic-requeue-webhooks"


def registry(app) -> dict[str, tuple[Job, object]]:
    return {job.id: (job, when) for job, when in make_scheduler(app).get_jobs(with_times=True)}


def intervals(app, sync: int = 60, sweep: int = 20) -> dict:
    return {**app.config, "SYNC_INTERVAL_SECONDS": sync, "SEND_SWEEP_SECONDS": sweep}


def test_registering_twice_keeps_one_of_each_periodic_job(app, caplog):
    caplog.set_level(logging.INFO, logger="scheduler")
    registered = register_periodic_jobs(make_scheduler(app), intervals(app))
    assert registered == [JOB_ID, SWEEP_ID, WEBHOOK_SWEEP_ID]
    first = registry(app)

    assert register_periodic_jobs(make_scheduler(app), intervals(app)) == []

    again = registry(app)
    assert again.keys() == {JOB_ID, SWEEP_ID, WEBHOOK_SWEEP_ID}
    assert again[JOB_ID][1] == first[JOB_ID][1]
    sync, sweep = again[JOB_ID][0], again[SWEEP_ID][0]
    assert sync.func_name == "app.orders.jobs.sync_orders" and sync.meta["interval"] == 60
    assert sweep.func_name == "app.orders.jobs.requeue_sends" and sweep.meta["interval"] == 20
    assert "registered periodic job periodic-sync-orders" in caplog.text
    assert "already registered" in caplog.text


def test_a_new_interval_replaces_the_entry_under_the_same_id(app):
    register_periodic_jobs(make_scheduler(app), intervals(app))
    assert register_periodic_jobs(make_scheduler(app), intervals(app, sync=30)) == [JOB_ID]
    assert registry(app)[JOB_ID][0].meta["interval"] == 30


def test_the_scheduled_job_runs_the_sync_in_a_worker(app, user, sandbox, restore_signals):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state="done")
    scheduler = make_scheduler(app)
    register_periodic_jobs(scheduler, intervals(app))

    assert scheduler.poll()
    make_worker(app).work(burst=True)

    assert statuses() == {"done": 1}
    job, next_time = registry(app)[JOB_ID]
    assert next_time.timestamp() > time.time() + 50


def test_a_scheduler_that_lost_redis_mid_poll_takes_its_own_lock_back(app):
    scheduler, other = make_scheduler(app), make_scheduler(app)
    assert scheduler.acquire_lock()  # and then Redis went away before it was released
    assert not other.acquire_lock()
    assert scheduler.acquire_lock()
    scheduler.remove_lock()
    assert other.acquire_lock()


def both_running(log_paths: list[Path]) -> bool:
    """Each scheduler has registered the job and entered its loop."""
    texts = [path.read_text() for path in log_paths]
    return all(JOB_ID in text and "polling every" in text for text in texts)


def test_two_scheduler_processes_give_one_periodic_job_and_one_run(app, tmp_path):
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [start_script(app.config, "scheduler.py", path) for path in logs]
    try:
        wait_until(lambda: both_running(logs), seconds=15)
        wait_until(lambda: JOB_ID in get_queue().job_ids, seconds=15)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)

    assert registry(app).keys() == {JOB_ID, SWEEP_ID, WEBHOOK_SWEEP_ID}
    assert get_queue().job_ids.count(JOB_ID) == 1
    assert app.config["SCHEDULER_POLL_SECONDS"] <= 5
    assert [process.returncode for process in processes] == [0, 0]  # stopped as asked
