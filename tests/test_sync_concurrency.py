"""The status sync never applies a change twice or over a newer one, and recovers from a crash."""

import threading

import pytest
from sqlalchemy import event

from app.extensions import db, get_redis
from app.models import OrderStatus
from app.orders.sync import SyncSummary, engine, run_batch, run_sync, store
from app.orders.sync.checks import CheckResult, Outcome, failed
from app.orders.sync.engine import apply_batch
from app.orders.sync.state import LOCK_KEY, RunLock
from app.orders.transitions import transition
from tests.support.logs import enable_sync_logs
from tests.support.orders import (
    event_count,
    insert_orders,
    processing_orders,
    reload,
    state_requests,
    statuses,
    timeline,
)
from tests.support.waiting import wait_until

IN_PROCESSING = OrderStatus.IN_PROCESSING


def run_in_thread(app, results: list) -> threading.Thread:
    def target():
        with app.app_context():
            results.append(run_sync())

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_two_overlapping_runs_give_no_double_events(make_app, user, sandbox, caplog):
    enable_sync_logs(caplog)
    app = make_app(HTTP_READ_TIMEOUT=30)  # a held provider is waited for, not given up on
    with app.app_context():
        pairs = processing_orders(sandbox, user.id, 20, state="done")
        sandbox.hold("order_state")  # the first run waits on the provider, its lock held
        first: list = []
        thread = run_in_thread(app, first)
        wait_until(lambda: state_requests(sandbox) > 0, seconds=30)

        second = run_sync()
        sandbox.release("order_state")
        thread.join(timeout=30)

    assert second.outcome == "locked" and second.checked == 0
    assert "status sync skipped: another run holds the lock" in caplog.messages
    assert first[0].changed == 20
    assert all(timeline(oid) == [(IN_PROCESSING, "done")] for oid, _ in pairs)


def test_a_second_apply_of_the_same_answers_is_a_no_op(app, user, sandbox):
    pairs = processing_orders(sandbox, user.id, 5, state="done")
    answers = [CheckResult(oid, Outcome.ANSWERED, state="done") for oid, _ in pairs]
    first, second = SyncSummary(), SyncSummary()

    apply_batch(answers, first)
    apply_batch(answers, second)

    assert (first.changed, second.changed) == (5, 0)
    assert event_count() == 5


def test_a_batch_job_run_twice_applies_once(app, user, sandbox):
    processing_orders(sandbox, user.id, 12, state="failed")
    first = run_batch(None, None, "run-a")
    second = run_batch(None, None, "run-a")
    assert (first.changed, second.changed, second.checked) == (12, 0, 0)
    assert statuses() == {"failed": 12} and event_count() == 12


def test_a_cancel_committed_during_the_run_is_not_overwritten(app, user, sandbox, monkeypatch):
    pairs = processing_orders(sandbox, user.id, 4, state="done")
    cancelled_id = pairs[0][0]
    original_apply = engine.apply_batch

    def cancel_then_apply(results, summary):
        assert transition(cancelled_id, IN_PROCESSING, "cancelled", "Cancelled by the customer")
        db.session.commit()
        original_apply(results, summary)

    monkeypatch.setattr(engine, "apply_batch", cancel_then_apply)
    summary = run_sync()

    assert summary.changed == 3
    assert reload(cancelled_id).status == "cancelled"
    assert timeline(cancelled_id) == [(IN_PROCESSING, "cancelled")]
    assert all(reload(oid).status == "done" for oid, _ in pairs[1:])


def test_a_run_that_failed_midway_is_completed_by_the_next(make_app, user, sandbox, monkeypatch):
    app = make_app(SYNC_BATCH_SIZE=10)
    original_apply = engine.apply_batch
    calls = []

    def fail_on_second_batch(results, summary):
        calls.append(len(results))
        if len(calls) == 2:
            raise RuntimeError("database went away")
        original_apply(results, summary)

    with app.app_context():
        processing_orders(sandbox, user.id, 30, state="done")
        monkeypatch.setattr(engine, "apply_batch", fail_on_second_batch)
        with pytest.raises(RuntimeError):
            run_sync()
        db.session.rollback()
        assert statuses() == {"done": 10, IN_PROCESSING: 20}
        assert not get_redis().exists(LOCK_KEY)

        monkeypatch.setattr(engine, "apply_batch", original_apply)
        assert run_sync().changed == 20
        assert statuses() == {"done": 30} and event_count() == 30


def test_a_killed_run_leaves_its_lock_to_expire_and_the_next_run_completes(
    make_app, user, sandbox, monkeypatch
):
    app = make_app(SYNC_BATCH_SIZE=10, SYNC_LOCK_TTL_SECONDS=0.5)
    original_apply = engine.apply_batch

    def die_after_first_batch(results, summary):
        original_apply(results, summary)
        raise SystemExit("killed")

    with app.app_context():
        processing_orders(sandbox, user.id, 30, state="done")
        monkeypatch.setattr(RunLock, "release", lambda self: True)
        monkeypatch.setattr(engine, "apply_batch", die_after_first_batch)
        with pytest.raises(SystemExit):
            run_sync()
        monkeypatch.undo()
        db.session.rollback()
        assert statuses() == {"done": 10, IN_PROCESSING: 20}

        assert run_sync().outcome == "locked"
        wait_until(lambda: not get_redis().exists(LOCK_KEY), seconds=30)  # its TTL ran out
        assert run_sync().changed == 20
        assert statuses() == {"done": 30} and event_count() == 30


def test_a_long_run_extends_its_lock(make_app, user, sandbox, caplog):
    enable_sync_logs(caplog)
    # A lock of 1 s, extended every third of it, held by a run of about 2 s (five batches of
    # 400 ms): enough margin for a loaded machine to be late with an extension.
    app = make_app(SYNC_BATCH_SIZE=5, SYNC_CONCURRENCY=5, SYNC_LOCK_TTL_SECONDS=1.0)
    with app.app_context():
        processing_orders(sandbox, user.id, 25, state="done")
        sandbox.set_knobs(latency_ms=400)
        summary = run_sync()
        assert summary.outcome == "done" and summary.duration > 1.5
        assert summary.changed == 25 and event_count() == 25
        assert not [m for m in caplog.messages if "outlasted its lock" in m]


def test_a_run_that_lost_its_lock_stops_after_the_batches_it_fetched(
    make_app, user, sandbox, monkeypatch, caplog
):
    enable_sync_logs(caplog)
    app = make_app(SYNC_BATCH_SIZE=10)
    with app.app_context():
        processing_orders(sandbox, user.id, 60, state="done")
        monkeypatch.setattr(RunLock, "extend", lambda self: False)

        summary = run_sync()

        assert summary.outcome == "lock_lost"
        assert summary.changed == 30 and statuses() == {"done": 30, IN_PROCESSING: 30}
        lost = [m for m in caplog.messages if "lost its lock" in m]
        assert len(lost) == 1


def test_recording_failures_is_one_statement_compiled_once(app, user):
    """However many failures a batch has, recording them is the same statement, compiled once
    and kept: one compiled per batch, with its rows, filled the engine's cache in a worker."""
    pairs = insert_orders(user.id, 5)
    hits = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("UPDATE orders"):
            hits.append(context.cache_hit)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for count in (2, 5, 3):
            results = [failed(oid, Outcome.UNREACHABLE, "503") for oid, _ in pairs[:count]]
            store.record_failures(results, base=30, cap=1800)
            db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(hits) == 3
    assert hits[1:] == [db.engine.dialect.CACHE_HIT] * 2
