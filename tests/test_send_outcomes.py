"""A send whose outcome is unknown stays unknown until the provider settles it; a key names one
content only; an operator can settle what the provider never will."""

import socket
import threading
import uuid

import pytest

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders import sending
from app.orders.drafts import create_draft, update_draft
from app.orders.provider import OrderServiceClient
from app.orders.sending import outcomes as send_outcomes
from app.orders.sending.resolution import resolve_send, unknown_sends
from app.orders.transitions import ChangeRefused
from app.provider_http import ProviderHttp, ProviderUnavailable
from app.queue import make_worker
from tests.support.orders import reload, timeline
from tests.support.processes import closed_port

READ_TIMEOUT = 2.0  # the sandbox answers well within it, even on a busy machine
REJECTION = {
    "status": 422,
    "body": {"message": "The given data was invalid.", "errors": {"services": ["Sold out."]}},
}


def sandbox_orders_of(sandbox, order_id) -> list[dict]:
    return [o for o in sandbox.orders() if (o["key"] or "").startswith(str(order_id))]


def work(app) -> None:
    """Run the queued jobs with `app`'s settings (an RQ worker in burst mode)."""
    make_worker(app).work(burst=True, logging_level="WARNING")


@pytest.fixture
def patient_app(make_app):
    """An app that retries at once, gives surely-unsent orders back after two tries."""
    app = make_app(SEND_MAX_ATTEMPTS=2, SEND_BACKOFF_SECONDS=0.0)
    with app.app_context():
        yield app


def test_5xx_answers_past_the_budget_keep_the_order_sending(
    patient_app, logged_in, services, sandbox, restore_signals
):
    order = create_draft(logged_in.id, [services[0].uuid])
    sandbox.add_faults("order_create", {"status": 500}, {"status": 502}, {"status": 503})
    sending.request_send(order.id)
    work(patient_app)
    order = reload(order.id)
    assert order.status == OrderStatus.IN_PROCESSING and order.send_attempts == 3
    assert ("sending", "draft") not in timeline(order.id)
    assert order.send_unknown_since is None and order.needs_attention_since is None
    assert sandbox.stats()["order_create"] == 4 and sandbox.stats()["orders_registered"] == 1


def test_an_unknown_order_says_why_and_can_be_neither_edited_nor_deleted(
    client, draft, run_jobs, sandbox
):
    sandbox.add_faults("order_create", {"after": True, "status": 502})
    client.post(f"/orders/{draft.id}/send")
    sending.submit_order(draft.id)  # here, so that its retry waits in the queue
    order = reload(draft.id)
    assert order.status == OrderStatus.SENDING and order.send_unknown_since is not None
    page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "has not confirmed this order yet" in page and "Not confirmed" in page
    htmx = {"HX-Request": "true"}
    assert client.post(f"/orders/{draft.id}/delete", headers=htmx).status_code == 409
    edit = client.post(f"/orders/{draft.id}/edit", data={"services": "x"}, headers=htmx)
    assert edit.status_code == 409
    assert client.post(f"/orders/{draft.id}/cancel", headers=htmx).status_code == 409
    assert len(sandbox_orders_of(sandbox, draft.id)) == 1
    assert reload(draft.id).status == OrderStatus.SENDING


def test_the_back_off_of_an_unknown_outcome_is_capped_and_never_gives_up(make_app):
    app = make_app(SEND_BACKOFF_SECONDS=5.0, SEND_MAX_BACKOFF_SECONDS=600, SEND_MAX_ATTEMPTS=6)
    with app.app_context():
        delays = [send_outcomes.backoff_seconds(attempt, None) for attempt in range(1, 200)]
    assert delays[:4] == [5, 10, 20, 40] and max(delays) == 600 == delays[-1]
    assert sum(delays) > 24 * 3600  # two hundred tries span more than a day


def test_a_refusal_after_an_unknown_outcome_is_held_for_a_person(
    patient_app, logged_in, services, sandbox, restore_signals
):
    order = create_draft(logged_in.id, [services[0].uuid])
    sandbox.add_faults("order_create", {"status": 503}, REJECTION)
    sending.request_send(order.id)
    work(patient_app)
    order = reload(order.id)
    assert order.status == OrderStatus.SENDING and order.needs_attention
    assert "refused a repeated request" in order.status_reason
    assert sending.requeue_stuck_sends() == 0  # retrying cannot change a refusal
    [listed] = unknown_sends()
    assert listed.order_id == order.id and listed.needs_attention_since is not None


def test_an_outcome_unknown_for_too_long_is_flagged_while_retries_go_on(
    make_app, logged_in, services, sandbox, restore_signals, monkeypatch
):
    app = make_app(SEND_ATTENTION_AFTER_SECONDS=0, SEND_BACKOFF_SECONDS=0.0)
    with app.app_context():
        order = create_draft(logged_in.id, [services[0].uuid])
        sandbox.add_faults("order_create", {"status": 503}, {"status": 503})
        flagged = []
        submit = sending.submit_order

        def watch(order_id):
            result = submit(order_id)
            flagged.append(reload(order_id).needs_attention_since is not None)
            return result

        monkeypatch.setattr(sending, "submit_order", watch)
        sending.request_send(order.id)
        work(app)
        order = reload(order.id)
    assert flagged == [False, True, False]  # flagged on the second miss, cleared on success
    assert order.status == OrderStatus.IN_PROCESSING and order.needs_attention_since is None


def test_each_content_has_its_own_key(client, draft, run_jobs, sandbox, services):
    sandbox.add_faults("order_create", REJECTION)
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    assert reload(draft.id).status == OrderStatus.DRAFT
    update_draft(reload(draft.id), [services[5].uuid])
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    [held] = sandbox_orders_of(sandbox, draft.id)
    assert held["key"] == f"{draft.id}-r2" and held["services"] == [services[5].uuid]
    assert str(reload(draft.id).external_uuid) == held["uuid"]
    assert sandbox.stats()["key_conflicts"] == 0


def unknown(order_id) -> None:
    """As if a send of the order had timed out."""
    db.session.execute(
        db.update(Order)
        .where(Order.id == order_id)
        .values(status=OrderStatus.SENDING, send_unknown_since=db.func.now())
    )
    db.session.commit()


def test_an_operator_can_say_the_provider_has_it(draft):
    unknown(draft.id)
    external = uuid.uuid4()
    assert resolve_send(draft.id, external) == OrderStatus.IN_PROCESSING
    order = reload(draft.id)
    assert order.status == OrderStatus.IN_PROCESSING and order.external_uuid == external
    assert order.send_unknown_since is None
    with pytest.raises(ChangeRefused):
        resolve_send(draft.id, uuid.uuid4())


def test_an_operator_can_say_the_provider_has_nothing(draft, runner):
    unknown(draft.id)
    listing = runner.invoke(args=["sends", "unknown"])
    assert str(draft.id) in listing.output and "tries=0" in listing.output
    result = runner.invoke(args=["sends", "resolve", str(draft.id), "--not-registered"])
    assert result.exit_code == 0, result.output
    order = reload(draft.id)
    assert order.status == OrderStatus.DRAFT and order.revision == 2
    assert "did not register this order" in order.status_reason
    again = runner.invoke(args=["sends", "resolve", str(draft.id), "--not-registered"])
    assert again.exit_code == 1
    assert "Only an order that is still being sent can be resolved." in again.output
    assert reload(draft.id).revision == 2


def registration_error(base_url: str) -> ProviderUnavailable:
    client = OrderServiceClient(
        ProviderHttp("order_service", base_url, "sandbox-order-token", (1.0, READ_TIMEOUT))
    )
    with pytest.raises(ProviderUnavailable) as caught:
        client.register({"services": []}, "key")
    return caught.value


def test_a_refused_connection_is_surely_not_registered():
    assert not registration_error(f"http://127.0.0.1:{closed_port()}").outcome_unknown


def test_a_connection_dropped_after_the_request_is_an_unknown_outcome():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        def read_then_hang_up():
            connection, _ = server.accept()
            connection.recv(65536)
            connection.close()

        threading.Thread(target=read_then_hang_up, daemon=True).start()
        error = registration_error(f"http://127.0.0.1:{server.getsockname()[1]}")
    assert error.outcome_unknown


@pytest.mark.parametrize(
    "fault,unknown",
    [
        ({"delay": READ_TIMEOUT + 0.5}, True),  # read timeout
        ({"status": 500}, True),
        ({"status": 503}, True),
        ({"status": 200, "body": "<html>"}, True),  # an answer we cannot read
        ({"status": 429, "retry_after": 5}, False),
    ],
)
def test_which_failures_leave_the_outcome_unknown(app, sandbox_url, sandbox, fault, unknown):
    sandbox.add_faults("order_create", fault)
    assert registration_error(sandbox_url).outcome_unknown is unknown
