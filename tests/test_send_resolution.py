"""Settling a send by hand goes through one guarded path: the command line, like the console,
is refused while a send job is registering the order, and a registration that lands after a
person settled the order is never dropped."""

import threading

import pytest
from rq.registry import StartedJobRegistry

from app.models import OrderStatus
from app.orders import sending
from app.orders.sending.resolution import unknown_sends
from app.queue import get_send_queue
from tests.support.ops import notes
from tests.support.orders import reload, timeline
from tests.support.processes import WorkerProcess, process_environment
from tests.support.waiting import wait_until

SENDING, DRAFT, IN_PROCESSING = OrderStatus.SENDING, OrderStatus.DRAFT, OrderStatus.IN_PROCESSING
READ_TIMEOUT = 30.0  # longer than any test holds the provider


@pytest.fixture
def app(make_app):
    """A provider answer may take 30 s; a failed send is retried only a minute later."""
    app = make_app(HTTP_READ_TIMEOUT=READ_TIMEOUT, SEND_BACKOFF_SECONDS=60)
    with app.app_context():
        yield app


@pytest.fixture
def worker(app):
    env = {**process_environment(app.config), "SEND_BACKOFF_SECONDS": "60"}
    process = WorkerProcess(env, app.config["REDIS_URL"], log_name="send-resolution-worker.log")
    yield process.start()
    process.stop()


def resolve(runner, order_id, *how: str):
    return runner.invoke(args=["sends", "resolve", str(order_id), *how])


def registering(order_id) -> bool:
    """A send job of the order is running and has taken the order's lease."""
    running = StartedJobRegistry(queue=get_send_queue()).get_job_ids()
    leased = reload(order_id).send_claimed_until is not None
    return leased and any(job.startswith(f"send-order-{order_id}") for job in running)


def test_the_command_line_waits_for_a_send_job_that_holds_the_lease(
    runner, operator_client, draft, sandbox, worker
):
    sandbox.add_faults("order_create", {"status": 503})  # once let go: an unknown outcome
    sandbox.hold("order_create")  # the registration waits at the provider meanwhile
    assert sending.request_send(draft.id)
    wait_until(
        lambda: registering(draft.id) and sandbox.stats()["order_create"] == 1,
        seconds=30,
        explain=worker.log_tail,
    )

    refused = resolve(runner, draft.id, "--not-registered")
    console = operator_client.post(f"/ops/orders/{draft.id}/resolve", data={"note": "Not there"})

    assert refused.exit_code == 1
    assert "A send attempt is running right now; wait for its outcome." in refused.output
    assert console.status_code == 303 and notes(draft.id) == []
    order = reload(draft.id)
    assert (order.status, order.revision) == (SENDING, 1)
    assert registering(draft.id), "the refusals ran while the job was registering"

    sandbox.release("order_create")
    worker.wait_until_idle([get_send_queue()])
    assert reload(draft.id).send_unknown_since is not None  # the 503: a retry waits its turn
    settled = resolve(runner, draft.id, "--not-registered")
    assert settled.exit_code == 0, settled.output
    order = reload(draft.id)
    assert (order.status, order.revision) == (DRAFT, 2)
    assert sandbox.stats()["orders_registered"] == 0


def test_a_registration_that_lands_after_a_resolution_is_flagged_with_the_providers_id(
    app, runner, draft, sandbox, caplog
):
    """A registration no job registry shows (as after a lost lease): a person settles the
    order as not registered while the provider is still registering it."""
    sandbox.hold("order_create")  # until the order is settled here
    assert sending.request_send(draft.id)
    order_id, outcome = draft.id, []

    def submit():
        with app.app_context():
            outcome.append(sending.submit_order(order_id))

    registration = threading.Thread(target=submit)
    registration.start()
    wait_until(lambda: sandbox.stats()["order_create"] == 1, seconds=30)  # at the provider
    assert resolve(runner, draft.id, "--not-registered").exit_code == 0
    assert reload(draft.id).status == DRAFT
    sandbox.release("order_create")
    registration.join(timeout=READ_TIMEOUT)

    [held] = sandbox.orders()
    order = reload(draft.id)
    assert outcome[0].startswith("needs attention")
    assert order.status == SENDING and order.needs_attention and order.external_uuid is None
    assert held["uuid"] in order.status_reason
    assert timeline(draft.id)[-1] == (DRAFT, SENDING)
    assert held["uuid"] in order.events[-1].reason
    assert any(held["uuid"] in message for message in caplog.messages)
    assert sending.requeue_stuck_sends() == 0, "held for a person: never sent a second time"
    assert [send.order_id for send in unknown_sends()] == [draft.id]

    settled = resolve(runner, draft.id, "--registered-as", held["uuid"])
    assert settled.exit_code == 0, settled.output
    assert str(reload(draft.id).external_uuid) == held["uuid"]
    assert reload(draft.id).status == IN_PROCESSING
    assert sandbox.stats()["orders_registered"] == 1


def test_the_list_of_unknown_sends_says_when_there_is_none(runner, app):
    result = runner.invoke(args=["sends", "unknown"])
    assert result.exit_code == 0
    assert result.output == "No sends with an unknown outcome.\n"
