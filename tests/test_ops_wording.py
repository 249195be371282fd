"""The console writes as the rest of the product does: numbers and states in the reader's
language, one way to write an order's number, the provider's answer translated, the last status
check moved by a re-check; and an order the provider finished after a cancel can be
acknowledged with a note, which takes it off "Needs attention" and stays on its timeline."""

import pytest
from rq.worker import WorkerStatus

from app.extensions import db
from app.formatting import percent
from app.models import OrderStatus
from app.orders.sync import run_sync
from app.queue import make_worker
from tests.support.ops import UNCONFIRMED_AT_ONCE, attention_rows, notes, send
from tests.support.orders import reload

CANCELLED, DONE = OrderStatus.CANCELLED, OrderStatus.DONE


@pytest.fixture
def app(make_app):
    app = make_app(**UNCONFIRMED_AT_ONCE)
    with app.app_context():
        yield app


@pytest.fixture
def russian_operator(operator_client):
    operator_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return operator_client


@pytest.fixture
def registered(client, draft, run_jobs):
    order = send(client, draft.id, run_jobs)
    assert order.status == OrderStatus.IN_PROCESSING
    return order


@pytest.fixture
def finished_after_cancel(client, registered, sandbox):
    """Cancelled here, then done at the provider, as the sync learnt."""
    assert client.post(f"/orders/{registered.id}/cancel").status_code == 303
    sandbox.force_state(registered.external_uuid, "done")
    db.session.rollback()
    run_sync()
    order = reload(registered.id)
    assert order.after_cancel_state == DONE
    return order


@pytest.mark.parametrize(("language", "written"), [("ru", "12,3\xa0%"), ("en", "12.3%")])
def test_a_share_is_written_as_the_language_writes_a_percentage(app, language, written):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert percent(0.1234) == written
        assert percent(None) == "—"


def test_a_workers_state_is_translated(app, russian_operator):
    worker = make_worker(app)
    worker.register_birth()
    try:
        worker.set_state(WorkerStatus.IDLE)
        page = russian_operator.get("/ops/queues").get_data(as_text=True)
    finally:
        worker.register_death()
    table = page.split('id="workers"', 1)[1].split("</table>", 1)[0]
    assert "<td>простаивает</td>" in table and "idle" not in table


def test_a_recheck_says_the_providers_answer_in_the_readers_language(
    russian_operator, registered, sandbox
):
    sandbox.force_state(registered.external_uuid, "done")
    response = russian_operator.post(f"/ops/orders/{registered.id}/recheck")
    page = russian_operator.get(response.location).get_data(as_text=True)
    assert "сервис заказов ответил «выполнен»" in page
    assert "«done»" not in page


def test_an_order_is_numbered_the_same_way_for_customers_and_operators(
    client, russian_operator, registered
):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    number = registered.short_id
    customers = client.get(f"/orders/{registered.id}").get_data(as_text=True)
    operators = russian_operator.get(f"/ops/orders/{registered.id}").get_data(as_text=True)
    for page in (customers, operators):
        assert f"Заказ №{number}" in page and f"#{number}" not in page
    assert f"№{number}" in client.get("/").get_data(as_text=True)
    assert f"№{number}" in russian_operator.get("/ops/").get_data(as_text=True)


def test_a_recheck_moves_the_last_status_check(operator_client, finished_after_cancel):
    order_id = finished_after_cancel.id
    db.session.execute(
        db.update(type(finished_after_cancel))
        .where(type(finished_after_cancel).id == order_id)
        .values(last_checked_at=db.func.now() - db.text("interval '3 days'"))
    )
    db.session.commit()
    before = reload(order_id).last_checked_at

    assert operator_client.post(f"/ops/orders/{order_id}/recheck").status_code == 303

    assert reload(order_id).last_checked_at > before


def test_acknowledging_needs_a_note_and_changes_nothing_without_one(
    operator_client, finished_after_cancel
):
    order_id = finished_after_cancel.id
    page = operator_client.get(f"/ops/orders/{order_id}").get_data(as_text=True)
    assert "Acknowledge the provider’s finish" in page

    response = operator_client.post(f"/ops/orders/{order_id}/acknowledge", data={"note": "  "})

    assert response.status_code == 422
    assert "Write a note saying what was done about it" in response.get_data(as_text=True)
    assert reload(order_id).after_cancel_acknowledged_at is None
    assert notes(order_id) == []
    assert attention_rows(operator_client) == {str(order_id): "finished_after_cancel"}


def test_an_acknowledged_order_leaves_needs_attention_with_its_note_on_the_timeline(
    client, operator_client, finished_after_cancel
):
    order_id = finished_after_cancel.id
    note = "Refunded the customer; told them by phone."

    response = operator_client.post(f"/ops/orders/{order_id}/acknowledge", data={"note": note})

    assert response.status_code == 303
    page = operator_client.get(response.location).get_data(as_text=True)
    assert "Acknowledged; the order no longer needs attention." in page
    assert f"acknowledged by an operator: {note}" in page.split('id="ops-timeline"', 1)[1]
    assert "Acknowledge the provider’s finish" not in page
    assert attention_rows(operator_client) == {}
    order = reload(order_id)
    assert order.status == CANCELLED and order.after_cancel_acknowledged_at is not None
    [event] = notes(order_id)
    assert event.actor.email == "ops@example.com"
    assert note not in client.get(f"/orders/{order_id}").get_data(as_text=True)

    again = operator_client.post(f"/ops/orders/{order_id}/acknowledge", data={"note": "again"})
    assert again.status_code == 303
    refused = operator_client.get(again.location).get_data(as_text=True)
    assert "can be acknowledged, once" in refused
    assert len(notes(order_id)) == 1


def test_only_a_finished_after_cancel_order_can_be_acknowledged(operator_client, registered):
    response = operator_client.post(
        f"/ops/orders/{registered.id}/acknowledge", data={"note": "nothing to see"}
    )
    assert response.status_code == 303
    assert notes(registered.id) == []
    assert reload(registered.id).after_cancel_acknowledged_at is None
