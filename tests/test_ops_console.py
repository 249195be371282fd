"""The console finds each kind of order that needs a human, made with the sandbox's knobs, and
the operators' actions (retry a send, re-check a status, resolve a send) work end to end."""

import re
import uuid

import pytest

from app.extensions import db
from app.models import OrderStatus
from app.orders.sync import run_sync
from tests.support.auth import logged_in_client
from tests.support.ops import UNCONFIRMED_AT_ONCE, attention_rows, calls, notes, send
from tests.support.orders import insert_orders, make_all_due, reload

SENDING, DRAFT, DONE = OrderStatus.SENDING, OrderStatus.DRAFT, OrderStatus.DONE
IN_PROCESSING, CANCELLED = OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED


@pytest.fixture
def app(make_app):
    app = make_app(**UNCONFIRMED_AT_ONCE)
    with app.app_context():
        yield app


@pytest.fixture
def registered(client, draft, run_jobs):
    order = send(client, draft.id, run_jobs)
    assert order.status == IN_PROCESSING
    return order


def test_a_send_the_provider_never_confirms_needs_a_human(
    client, operator_client, draft, run_jobs, provider_down
):
    order = send(client, draft.id, run_jobs)
    assert order.status == SENDING and order.send_attempts == 1
    assert attention_rows(operator_client) == {str(draft.id): "unconfirmed_send"}
    story = operator_client.get(f"/ops/orders/{draft.id}").get_data(as_text=True)
    assert "Send unconfirmed" in story and "Resolve the unconfirmed send" in story
    assert [(c.kind, c.outcome) for c in calls(draft.id)] == [("send", "unknown")]
    assert "HTTP 503" in calls(draft.id)[0].answer


def test_retry_now_sends_at_once_and_is_on_the_timeline(
    client, operator_client, draft, run_jobs, sandbox, provider_down
):
    send(client, draft.id, run_jobs)
    sandbox.set_knobs(error_rate=0.0)  # the provider is back; the next retry is a minute away

    response = operator_client.post(f"/ops/orders/{draft.id}/retry-send")
    assert response.status_code == 303
    run_jobs()

    order = reload(draft.id)
    assert order.status == IN_PROCESSING and order.external_uuid is not None
    assert [(c.kind, c.outcome) for c in calls(draft.id)] == [
        ("send", "unknown"),
        ("send", "registered"),
    ]
    [note] = notes(draft.id)
    assert note.actor.email == "ops@example.com" and note.reason.startswith("Send retried now")
    assert attention_rows(operator_client) == {}
    assert sandbox.stats()["orders_registered"] == 1


def test_retry_now_is_refused_for_an_order_not_being_sent(operator_client, registered):
    response = operator_client.post(f"/ops/orders/{registered.id}/retry-send")
    assert response.status_code == 303  # back to the story, with the reason
    page = operator_client.get(response.location).get_data(as_text=True)
    assert "Only an order that is still being sent can be retried." in page
    assert notes(registered.id) == []


def test_an_order_the_provider_forgot_needs_a_human(operator_client, registered, sandbox):
    sandbox.reset()  # the provider lost every order
    make_all_due()
    summary = run_sync()
    assert summary.not_found == 1
    assert attention_rows(operator_client) == {str(registered.id): "unknown_to_provider"}
    [call] = calls(registered.id)[1:]
    assert (call.kind, call.outcome) == ("check", "not_found")
    assert call.duration_ms is not None


def test_failing_status_checks_need_a_human_after_three(operator_client, registered, sandbox):
    for expected_failures in (1, 2, 3):
        sandbox.add_faults("order_state", {"status": 500})
        make_all_due()
        assert run_sync().errors == 1
        assert reload(registered.id).check_failures == expected_failures
        flagged = attention_rows(operator_client)
        assert flagged == ({str(registered.id): "failing_checks"} if expected_failures == 3 else {})
    checks = [c for c in calls(registered.id) if c.kind == "check"]
    assert [c.outcome for c in checks] == ["failed"] * 3


def test_recheck_now_applies_the_answer_and_names_the_operator(
    operator_client, registered, sandbox
):
    for _ in range(3):
        sandbox.add_faults("order_state", {"status": 500})
        make_all_due()
        run_sync()
    sandbox.force_state(registered.external_uuid, "done")

    response = operator_client.post(f"/ops/orders/{registered.id}/recheck")

    assert response.status_code == 303
    order = reload(registered.id)
    assert order.status == DONE and order.check_failures == 0
    [note] = notes(registered.id)
    assert note.actor.email == "ops@example.com"
    assert "answered “done”" in note.reason
    last_call = calls(registered.id)[-1]
    assert (last_call.outcome, last_call.answer, last_call.actor_id) == (
        "answered",
        "done",
        note.actor_id,
    )
    assert attention_rows(operator_client) == {}
    page = operator_client.get(f"/ops/orders/{registered.id}").get_data(as_text=True)
    assert "by ops@example.com" in page


def test_recheck_of_a_still_processing_order_keeps_it_and_records_the_answer(
    operator_client, registered
):
    operator_client.post(f"/ops/orders/{registered.id}/recheck")
    order = reload(registered.id)
    assert order.status == IN_PROCESSING and order.last_checked_at is not None
    assert (calls(registered.id)[-1].kind, calls(registered.id)[-1].outcome) == (
        "check",
        "answered",
    )


def test_the_customer_does_not_see_operator_notes(client, operator_client, registered):
    operator_client.post(f"/ops/orders/{registered.id}/recheck")
    page = client.get(f"/orders/{registered.id}").get_data(as_text=True)
    assert "re-checked" not in page and "ops@example.com" not in page


def test_an_order_finished_after_a_local_cancel_needs_a_human(
    client, operator_client, registered, sandbox
):
    assert client.post(f"/orders/{registered.id}/cancel").status_code == 303
    assert reload(registered.id).follow_provider
    sandbox.force_state(registered.external_uuid, "done")
    db.session.rollback()  # the sync starts afresh, as in a worker

    run_sync()

    order = reload(registered.id)
    assert order.status == CANCELLED and order.after_cancel_state == DONE
    assert not order.follow_provider  # following ends with a final answer
    assert attention_rows(operator_client) == {str(registered.id): "finished_after_cancel"}


def test_a_cancelled_order_still_processing_is_asked_again_later(client, registered, sandbox):
    client.post(f"/orders/{registered.id}/cancel")
    db.session.rollback()  # the sync starts afresh, as in a worker
    run_sync()
    order = reload(registered.id)
    assert order.after_cancel_state is None
    assert order.follow_provider and order.next_check_at > order.last_checked_at


def test_resolve_with_the_providers_id_moves_on_to_in_processing(
    client, operator_client, draft, run_jobs, sandbox, provider_down
):
    send(client, draft.id, run_jobs)
    found = uuid.uuid4()
    response = operator_client.post(
        f"/ops/orders/{draft.id}/resolve",
        data={"note": "Provider support confirmed it by phone", "external_uuid": str(found)},
    )
    assert response.status_code == 303
    order = reload(draft.id)
    assert order.status == IN_PROCESSING and order.external_uuid == found
    transition_event, note = notes(draft.id)
    assert (transition_event.from_status, transition_event.to_status) == (SENDING, IN_PROCESSING)
    assert note.reason.endswith("Provider support confirmed it by phone")
    assert attention_rows(operator_client) == {}
    sandbox.set_knobs(error_rate=0.0)
    run_jobs()  # the send retry that was waiting finds the order registered and does nothing
    assert sandbox.stats()["orders_registered"] == 0


def test_resolve_without_an_id_gives_the_draft_back(
    client, operator_client, draft, run_jobs, provider_down
):
    assert send(client, draft.id, run_jobs).send_unknown_since is not None  # a 503
    operator_client.post(f"/ops/orders/{draft.id}/resolve", data={"note": "Not at the provider"})
    order = reload(draft.id)
    assert order.status == DRAFT
    assert order.revision == 2, "a new Idempotency-Key for the next send"
    assert order.send_unknown_since is None and order.needs_attention_since is None
    assert "You can send it again" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"note": "   "}, "Write a note"),
        ({"note": "x" * 501}, "too long"),
        ({"note": "ok", "external_uuid": "not-a-uuid"}, "must be a UUID"),
    ],
)
def test_resolve_refuses_bad_input_and_changes_nothing(
    client, operator_client, draft, run_jobs, provider_down, form, message
):
    send(client, draft.id, run_jobs)
    response = operator_client.post(f"/ops/orders/{draft.id}/resolve", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reload(draft.id).status == SENDING and notes(draft.id) == []


def test_resolve_refuses_a_provider_id_another_order_has(
    client, operator_client, draft, run_jobs, provider_down, registered_elsewhere
):
    send(client, draft.id, run_jobs)
    response = operator_client.post(
        f"/ops/orders/{draft.id}/resolve",
        data={"note": "ok", "external_uuid": str(registered_elsewhere.external_uuid)},
    )
    assert response.status_code == 422
    assert reload(draft.id).status == SENDING


@pytest.fixture
def registered_elsewhere(factory):
    other = factory.user()
    order_id, _ = insert_orders(other.id, 1)[0]
    return reload(order_id)


def test_resolve_is_refused_for_an_order_whose_send_is_not_unknown(operator_client, registered):
    response = operator_client.post(f"/ops/orders/{registered.id}/resolve", data={"note": "no"})
    assert response.status_code == 303
    assert reload(registered.id).status == IN_PROCESSING and notes(registered.id) == []


def rows_of(listing: str, email: str) -> int:
    """The console's rows of this customer (each shows the email, and holds it in a title)."""
    return listing.count(f">{email}</span>")


def test_the_console_filters_by_status_customer_and_age(operator_client, registered, factory):
    stranger = factory.user(email="someone@else.org")
    insert_orders(stranger.id, 2)
    listing = operator_client.get("/ops/?customer=ELSE.org").get_data(as_text=True)
    assert rows_of(listing, "someone@else.org") == 2 and str(registered.id) not in listing
    drafts = operator_client.get("/ops/?status=draft").get_data(as_text=True)
    assert "No orders match these filters." in drafts
    old = operator_client.get("/ops/?age=gt1d").get_data(as_text=True)
    assert "No orders match these filters." in old
    fresh = operator_client.get("/ops/?age=lt1h&status=bogus&page=x").get_data(as_text=True)
    assert str(registered.id) in fresh and "someone@else.org" in fresh


def test_the_console_pages_through_orders_keeping_the_filters(make_app, operator, factory):
    app = make_app(OPS_ORDERS_PER_PAGE=2)
    with app.app_context():
        insert_orders(factory.user(email="pages@example.org").id, 5)
        insert_orders(factory.user(email="other@example.org").id, 3)
    client = logged_in_client(app, operator.email, "ops-secret")
    first = client.get("/ops/?customer=pages").get_data(as_text=True)
    assert "Page 1 of 3" in first
    [older] = re.findall(r'rel="next" href="([^"]+)"', first)
    assert "page=2" in older and "customer=pages" in older
    last = client.get("/ops/?customer=pages&page=3").get_data(as_text=True)
    assert "Page 3 of 3" in last and rows_of(last, "pages@example.org") == 1
