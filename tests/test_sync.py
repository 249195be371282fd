"""The status sync against the sandbox over HTTP: state mapping, errors, live updates, CLI."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import get_redis
from app.models import OrderStatus
from app.orders.live import user_channel
from app.orders.sync import run_sync
from tests.support.logs import enable_sync_logs, problems
from tests.support.orders import (
    insert_orders,
    make_all_due,
    processing_orders,
    reload,
    state_requests,
    statuses,
    timeline,
)
from tests.support.processes import closed_port

IN_PROCESSING = OrderStatus.IN_PROCESSING


@pytest.fixture(autouse=True)
def sync_logs(caplog):
    enable_sync_logs(caplog)


@pytest.mark.parametrize(
    ("provider_state", "status"),
    [
        ("done", "done"),
        ("cancelled", "cancelled"),
        ("canceled", "cancelled"),
        ("failed", "failed"),
        ("Rejected", "failed"),
    ],
)
def test_terminal_states_finish_the_order_with_one_event(
    app, user, sandbox, caplog, provider_state, status
):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state=provider_state)

    summary = run_sync()

    finished = reload(order_id)
    assert finished.status == status
    assert finished.last_checked_at is not None
    assert timeline(order_id) == [(IN_PROCESSING, status)]
    assert (summary.checked, summary.changed, summary.errors) == (1, 1, 0)
    assert problems(caplog) == []


@pytest.mark.parametrize("provider_state", ["new", "processing", "queued_for_review"])
def test_an_intermediate_state_stays_in_processing_and_logs_no_problem(
    app, user, sandbox, caplog, provider_state
):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state=provider_state)

    summary = run_sync()

    checked = reload(order_id)
    assert checked.status == IN_PROCESSING and timeline(order_id) == []
    assert checked.last_checked_at is not None and checked.check_failures == 0
    assert checked.next_check_at > datetime.now(UTC) + timedelta(seconds=30)
    assert (summary.checked, summary.changed, summary.errors) == (1, 0, 0)
    assert problems(caplog) == []


def test_one_summary_line_ends_the_run(app, user, sandbox, caplog):
    processing_orders(sandbox, user.id, 3, state="done")
    run_sync()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("app.orders.sync")]
    assert len(lines) == 1
    assert lines[0].startswith("status sync done: checked=3 changed=3 errors=0")
    assert "duration=" in lines[0]


def test_an_unknown_uuid_backs_off_and_is_not_asked_again_at_once(app, user, sandbox, caplog):
    [(order_id, external)] = insert_orders(user.id, 1)

    first = run_sync()
    backed_off = reload(order_id)
    assert backed_off.status == IN_PROCESSING
    assert backed_off.check_failures == 1
    assert backed_off.next_check_at > datetime.now(UTC) + timedelta(seconds=30)
    assert str(external) in backed_off.last_check_error
    assert (first.checked, first.errors, first.not_found) == (1, 1, 1)
    warnings = problems(caplog)
    assert len(warnings) == 1 and str(order_id) in warnings[0]

    requests_before = state_requests(sandbox)
    second = run_sync()
    assert second.checked == 0 and state_requests(sandbox) == requests_before

    make_all_due()
    run_sync()
    assert reload(order_id).check_failures == 2


def test_the_backoff_grows_up_to_its_cap(make_app, user, sandbox):
    app = make_app(SYNC_BACKOFF_BASE_SECONDS=100, SYNC_BACKOFF_CAP_SECONDS=500)
    with app.app_context():
        [(order_id, _)] = insert_orders(user.id, 1)
        delays = []
        for _ in range(4):
            run_sync()
            checked = reload(order_id)
            delays.append((checked.next_check_at - datetime.now(UTC)).total_seconds())
            make_all_due()
        assert [round(d, -1) for d in delays] == [200, 400, 500, 500]


def test_a_server_error_is_retried_on_a_later_run(app, user, sandbox):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state="done")
    sandbox.add_faults("order_state", {"status": 500})

    first = run_sync()
    failed = reload(order_id)
    assert failed.status == IN_PROCESSING and failed.check_failures == 1
    assert "HTTP 500" in failed.last_check_error
    assert first.errors == 1 and first.outcome == "done"

    make_all_due()
    second = run_sync()
    done = reload(order_id)
    assert done.status == "done" and done.check_failures == 0 and done.last_check_error is None
    assert second.changed == 1


def test_garbage_answers_count_as_errors(app, user, sandbox):
    [(order_id, _)] = processing_orders(sandbox, user.id, 1, state="done")
    sandbox.add_faults("order_state", {"status": 200, "body": "<html>hi</html>"})
    summary = run_sync()
    assert summary.errors == 1 and reload(order_id).check_failures == 1


def test_the_provider_down_ends_the_run_early_with_one_warning(make_app, user, caplog):
    app = make_app(
        ORDER_SERVICE_BASE_URL=f"http://127.0.0.1:{closed_port()}",
        SYNC_CONCURRENCY=4,
        SYNC_BATCH_SIZE=50,
    )
    with app.app_context():
        pairs = insert_orders(user.id, 300)

        summary = run_sync()

        assert summary.outcome == "provider_down"
        attempted = summary.checked
        assert 5 <= attempted <= 5 + 4 and summary.errors == attempted
        down = (
            "order service unreachable: run ended early; orders in processing keep their "
            "status and are checked again once it answers"
        )
        assert problems(caplog) == [down]
        assert run_sync().outcome == "paused"
        get_redis().delete("sync:paused")
        assert run_sync().outcome == "provider_down"
        assert problems(caplog) == [down]  # one warning for the whole outage
        assert statuses() == {IN_PROCESSING: 300}
        assert not [o for o in map(reload, [oid for oid, _ in pairs]) if o.check_failures]


def test_retry_after_stops_the_runs_requests(make_app, user, sandbox):
    app = make_app(SYNC_CONCURRENCY=2)
    with app.app_context():
        pairs = processing_orders(sandbox, user.id, 60, state="done")
        sandbox.set_knobs(latency_ms=100)
        sandbox.add_faults("order_state", {"status": 429, "retry_after": 30})

        summary = run_sync()

        assert summary.outcome == "rate_limited"
        assert state_requests(sandbox) <= 4
        # The whole run waits, not one order: the limited order stays due for after the pause.
        assert not [oid for oid, _ in pairs if reload(oid).last_check_error]
        assert 28 < get_redis().pttl("sync:paused") / 1000 <= 30

        requests_before = state_requests(sandbox)
        assert run_sync().outcome == "paused"
        assert state_requests(sandbox) == requests_before


def test_a_429_without_retry_after_still_pauses_the_run(make_app, user, sandbox):
    app = make_app(SYNC_CONCURRENCY=2)
    with app.app_context():
        processing_orders(sandbox, user.id, 60, state="done")
        sandbox.set_knobs(latency_ms=100)
        sandbox.add_faults("order_state", {"status": 429})

        summary = run_sync()

        assert summary.outcome == "rate_limited"
        assert state_requests(sandbox) <= 4
        assert 28 < get_redis().pttl("sync:paused") / 1000 <= 30


def test_each_change_is_published_on_its_owners_channel(app, factory, sandbox):
    alice, bob, carol = factory.user(), factory.user(), factory.user()
    [(alice_order, _)] = processing_orders(sandbox, alice.id, 1, state="done")
    [(bob_order, _)] = processing_orders(sandbox, bob.id, 1, state="canceled")
    processing_orders(sandbox, carol.id, 1, state="processing")
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(*(user_channel(u.id) for u in (alice, bob, carol)))

    run_sync()

    received = {}
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        if message := pubsub.get_message(timeout=0.1):
            channel = message["channel"].decode()
            received.setdefault(channel, []).append(json.loads(message["data"]))
    pubsub.close()
    assert received == {
        user_channel(alice.id): [{"order_id": str(alice_order), "status": "done", "revision": 1}],
        user_channel(bob.id): [{"order_id": str(bob_order), "status": "cancelled", "revision": 1}],
    }


def test_flask_sync_orders_runs_one_pass_and_prints_the_summary(app, user, sandbox, runner):
    processing_orders(sandbox, user.id, 2, state="done")
    result = runner.invoke(args=["sync-orders"])
    assert result.exit_code == 0
    assert "status sync done: checked=2 changed=2 errors=0" in result.output
