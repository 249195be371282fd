"""Sending to processing exactly once; retries; rejections; recovery; cancel."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders import sending
from app.orders.transitions import bulk_transition, transition
from app.queue import get_queue, get_send_queue, get_send_scheduler, make_worker
from tests.support.auth import logged_in_client, session_client
from tests.support.orders import reload, timeline
from tests.support.processes import closed_port
from tests.support.waiting import wait_until


def test_send_registers_once_and_moves_to_in_processing(client, draft, run_jobs, sandbox):
    response = client.post(f"/orders/{draft.id}/send")
    assert response.status_code == 303
    assert reload(draft.id).status == OrderStatus.SENDING
    run_jobs()
    order = reload(draft.id)
    assert order.status == OrderStatus.IN_PROCESSING
    assert isinstance(order.external_uuid, uuid.UUID)
    assert order.next_check_at is not None
    assert sandbox.stats()["orders_registered"] == 1
    assert timeline(draft.id) == [
        (None, "draft"),
        ("draft", "sending"),
        ("sending", "in_processing"),
    ]
    page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert str(order.external_uuid) in page and "In processing" in page


def test_double_click_and_replay_give_one_external_order(make_app, app, draft, run_jobs, sandbox):
    clients = [logged_in_client(app) for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses = []
    url = f"/orders/{draft.id}/send"

    def click(client):
        barrier.wait()
        statuses.append(client.post(url, headers={"HX-Request": "true"}))

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in statuses) == [303, 409]
    run_jobs()
    replay = clients[0].post(f"/orders/{draft.id}/send", headers={"HX-Request": "true"})
    assert replay.status_code == 409
    run_jobs()
    assert sandbox.stats()["orders_registered"] == 1
    assert reload(draft.id).status == OrderStatus.IN_PROCESSING
    assert timeline(draft.id).count(("draft", "sending")) == 1


def test_two_jobs_for_one_order_register_once(client, draft, run_jobs, sandbox):
    client.post(f"/orders/{draft.id}/send")
    sending.enqueue_send(draft.id, "duplicate-job")
    assert sending.requeue_stuck_sends() == 1
    run_jobs()
    assert sandbox.stats()["order_create"] == 1
    assert reload(draft.id).status == OrderStatus.IN_PROCESSING


def test_provider_503_then_ok_gives_one_order(client, draft, run_jobs, sandbox):
    sandbox.add_faults("order_create", {"status": 503})
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    order = reload(draft.id)
    assert order.status == OrderStatus.IN_PROCESSING and order.send_attempts == 1
    assert sandbox.stats()["order_create"] == 2
    assert sandbox.stats()["orders_registered"] == 1


def test_timeout_then_retry_reuses_the_idempotency_key(make_app, logged_in, services, sandbox):
    app = make_app(HTTP_READ_TIMEOUT=2.0)  # the retry's answer comes well within it
    with app.app_context():
        from app.orders.drafts import create_draft
        from app.queue import make_worker

        order = create_draft(logged_in.id, [services[0].uuid])
        sandbox.add_faults("order_create", {"delay": 2.5})
        assert sending.request_send(order.id)
        make_worker(app).work(burst=True)
        order = reload(order.id)
        assert order.status == OrderStatus.IN_PROCESSING and order.send_attempts == 1
    # The timed-out request lands late, with the same Idempotency-Key.
    wait_until(lambda: sandbox.stats()["idempotent_replays"] == 1, seconds=30)
    assert sandbox.stats()["order_create"] == 2
    assert sandbox.stats()["orders_registered"] == 1


def test_429_schedules_the_retry_after_retry_after(client, draft, run_jobs, sandbox, app):
    sandbox.add_faults("order_create", {"status": 429, "retry_after": 120})
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    order = reload(draft.id)
    assert order.status == OrderStatus.SENDING and order.send_attempts == 1
    assert "429" in order.status_reason
    assert order.send_claimed_until > datetime.now(UTC) + timedelta(seconds=110)
    [(job, when)] = list(get_send_scheduler().get_jobs(with_times=True))
    assert job.id == f"send-order-{draft.id}-retry-1"
    assert (when - order.send_claimed_until.replace(tzinfo=None)).total_seconds() < 2
    assert sending.requeue_stuck_sends() == 0
    page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "Retrying" in page


def test_rejection_puts_the_order_back_to_draft_with_the_reason(client, draft, run_jobs, sandbox):
    db.session.execute(db.update(Order).values(price=Order.price + 1, gross=Order.gross + 1))
    db.session.commit()
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    order = reload(draft.id)
    assert order.status == OrderStatus.DRAFT
    assert "rejected" in order.status_reason and "price" in order.status_reason
    assert sandbox.stats()["orders_registered"] == 0
    assert "rejected" in client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "rejected" in client.get("/").get_data(as_text=True)
    assert timeline(draft.id)[-1] == ("sending", "draft")


def test_an_unreachable_provider_gives_the_order_back_after_the_budget(
    make_app, logged_in, services, sandbox
):
    """Refused connections: the provider cannot have the order, so a draft is the truth."""
    app = make_app(SEND_MAX_ATTEMPTS=2, ORDER_SERVICE_BASE_URL=f"http://127.0.0.1:{closed_port()}")
    with app.app_context():
        from app.orders.drafts import create_draft

        order = create_draft(logged_in.id, [services[0].uuid])
        sending.request_send(order.id)
        make_worker(app).work(burst=True)
        order = reload(order.id)
    assert order.status == OrderStatus.DRAFT
    assert "after 2 tries" in order.status_reason
    assert "Nothing was registered" in order.status_reason
    assert order.send_unknown_since is None


def test_requeue_recovers_a_lost_job(client, draft, run_jobs, sandbox, app):
    client.post(f"/orders/{draft.id}/send")
    get_send_queue().empty()
    run_jobs()
    assert reload(draft.id).status == OrderStatus.SENDING
    assert sending.requeue_stuck_sends() == 1
    run_jobs()
    assert reload(draft.id).status == OrderStatus.IN_PROCESSING
    assert sandbox.stats()["orders_registered"] == 1


def test_requeue_leaves_a_fresh_send_alone(make_app, draft):
    app = make_app(SEND_STUCK_AFTER_SECONDS=60)
    with app.app_context():
        assert sending.request_send(draft.id)
        assert sending.requeue_stuck_sends() == 0


def test_redis_down_leaves_the_order_sending_for_the_requeue(
    make_app, logged_in, draft, app, run_jobs
):
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    client = session_client(down, logged_in)
    response = client.post(f"/orders/{draft.id}/send")
    assert response.status_code == 303
    assert reload(draft.id).status == OrderStatus.SENDING
    with pytest.raises(redis.RedisError):
        redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2).ping()
    assert sending.requeue_stuck_sends() == 1
    run_jobs()
    assert reload(draft.id).status == OrderStatus.IN_PROCESSING


def sent(client, draft, run_jobs) -> Order:
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    return reload(draft.id)


def test_cancel_in_processing(client, draft, run_jobs):
    assert sent(client, draft, run_jobs).status == OrderStatus.IN_PROCESSING
    headers = {"HX-Request": "true", "HX-Target": f"order-{draft.id}"}
    response = client.post(f"/orders/{draft.id}/cancel", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-status="cancelled"' in html and "Order cancelled" in html
    assert reload(draft.id).status == OrderStatus.CANCELLED
    again = client.post(f"/orders/{draft.id}/cancel", headers={"HX-Request": "true"})
    assert again.status_code == 409


def test_cancel_asks_first_without_javascript(client, draft, run_jobs):
    assert client.get(f"/orders/{draft.id}/cancel").status_code == 303
    sent(client, draft, run_jobs)
    page = client.get(f"/orders/{draft.id}/cancel")
    assert page.status_code == 200 and b"Cancel the order" in page.data
    assert reload(draft.id).status == OrderStatus.IN_PROCESSING
    order_page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert f'action="/orders/{draft.id}/cancel"' in order_page


def test_cancel_a_draft_is_refused(client, draft):
    response = client.post(f"/orders/{draft.id}/cancel", headers={"HX-Request": "true"})
    assert response.status_code == 409 and b"Only an order in processing" in response.data
    assert reload(draft.id).status == OrderStatus.DRAFT


def test_cancel_racing_a_terminal_sync_update_stays_consistent(client, draft, run_jobs):
    order = sent(client, draft, run_jobs)
    assert transition(order.id, "in_processing", "cancelled", "Cancelled by the customer")
    db.session.commit()
    assert (
        bulk_transition({order.id: ("done", "The order service reports done")}, "in_processing")
        == []
    )
    db.session.commit()
    assert reload(order.id).status == OrderStatus.CANCELLED
    assert timeline(order.id)[-1] == ("in_processing", "cancelled")
    assert len(timeline(order.id)) == 4


def test_sync_first_then_cancel_is_refused(client, draft, run_jobs):
    order = sent(client, draft, run_jobs)
    bulk_transition({order.id: ("done", "The order service reports done")}, "in_processing")
    db.session.commit()
    response = client.post(f"/orders/{order.id}/cancel")
    assert response.status_code == 303
    assert reload(order.id).status == OrderStatus.DONE
    assert timeline(order.id)[-1] == ("in_processing", "done")


def test_sends_have_their_own_queue_which_workers_empty_first(app, draft):
    get_queue().enqueue("app.orders.jobs.sync_orders")
    assert sending.request_send(draft.id)
    assert get_send_queue().job_ids == [f"send-order-{draft.id}"]
    assert make_worker(app).queue_names() == ["sends", "default", "webhooks"]
