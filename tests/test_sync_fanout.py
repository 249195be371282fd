"""Scale: a thousand orders in one run, and a backlog fanned out over two workers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.orders.sync import run_sync
from app.orders.sync.state import fanout_left
from app.queue import get_queue, make_worker
from tests.support.orders import event_count, insert_orders, processing_orders, statuses
from tests.support.processes import dies_with_the_tests, process_environment

ROOT = Path(__file__).resolve().parent.parent
WORKER_COMMAND = "from tests.support.processes import burst_worker_main; burst_worker_main()"


@pytest.fixture
def fanout_app(make_app, user):
    """An app that fans out above 100 due orders, 200 orders a job (its context on top)."""
    app = make_app(SYNC_FANOUT_THRESHOLD=100, SYNC_FANOUT_JOB_SIZE=200)
    with app.app_context():
        yield app


def mixed_orders(sandbox, user_id: int, each: int) -> None:
    for state in ("done", "canceled", "failed", "processing"):
        processing_orders(sandbox, user_id, each, state=state)


def test_a_thousand_orders_in_one_run(app, user, sandbox):
    mixed_orders(sandbox, user.id, 250)

    summary = run_sync()

    assert (summary.checked, summary.changed, summary.errors) == (1000, 750, 0)
    assert summary.batches == 5 and summary.outcome == "done"
    assert statuses() == {"done": 250, "cancelled": 250, "failed": 250, "in_processing": 250}
    assert event_count() == 750


def test_a_large_backlog_fans_out_as_batch_jobs_with_fixed_ids(fanout_app, user, sandbox):
    insert_orders(user.id, 1000)

    summary = run_sync()

    assert summary.outcome == "fanned_out" and summary.jobs_enqueued == 6
    job_ids = get_queue().job_ids
    assert len(job_ids) == 6 and len(set(job_ids)) == 6
    run_prefix = job_ids[0].rsplit("-", 1)[0]
    assert run_prefix.startswith("sync-batch-")
    assert job_ids == [f"{run_prefix}-{index:05d}" for index in range(6)]
    assert fanout_left() == 6
    assert run_sync().outcome == "busy"


def test_the_fan_out_is_shared_by_two_burst_workers(fanout_app, user, sandbox, restore_signals):
    mixed_orders(sandbox, user.id, 250)
    get_queue().enqueue("app.orders.jobs.sync_orders")

    first_worked = make_worker(fanout_app).work(burst=True, max_jobs=3)
    second_worked = make_worker(fanout_app).work(burst=True)

    assert first_worked and second_worked
    assert statuses() == {"done": 250, "cancelled": 250, "failed": 250, "in_processing": 250}
    assert event_count() == 750
    assert fanout_left() == 0


def test_two_worker_processes_share_the_backlog_at_once(fanout_app, user, sandbox):
    mixed_orders(sandbox, user.id, 150)
    sandbox.set_knobs(latency_ms=20)
    assert run_sync().jobs_enqueued == 4
    batch_jobs = get_queue().job_ids

    outputs = run_worker_processes(fanout_app, count=2)

    ran = [json.loads(output.strip().splitlines()[-1]) for output in outputs]
    assert all(ran), f"each worker should have run a batch job: {ran}"
    assert sorted(sum(ran, [])) == sorted(batch_jobs)
    assert statuses() == {"done": 150, "cancelled": 150, "failed": 150, "in_processing": 150}
    assert event_count() == 450 and fanout_left() == 0


def run_worker_processes(app, count: int) -> list[str]:
    env = {**process_environment(app.config), "TEST_WORKERS": str(count)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER_COMMAND],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=dies_with_the_tests,
        )
        for _ in range(count)
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        outputs.append(stdout)
    return outputs
