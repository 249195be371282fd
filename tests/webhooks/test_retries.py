"""At least once: failed attempts follow the retry schedule, a receiver that was down gets
every event once it is back, lost jobs are found by the sweep, redirects are not followed, the
timeout holds, and an endpoint failing for days is disabled with the reason."""

import json
from datetime import timedelta

from rq.registry import FailedJobRegistry
from sqlalchemy import select, text, update

from app.extensions import db, get_redis
from app.models import OrderStatus
from app.webhooks import service
from app.webhooks.delivery import requeue_lost
from app.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from tests.webhooks.conftest import change, register, sending_order
from tests.webhooks.receiver import Receiver, redirect_to, slow, status

SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)  # the production schedule


def attempts() -> list[WebhookAttempt]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def the_events() -> list[WebhookEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookEvent).order_by(WebhookEvent.sequence)))


def no_failed_jobs() -> bool:
    """No job broke on the way, the scheduler's included (they run like any other)."""
    from app.queue import get_webhook_queue, get_webhook_scheduler

    scheduler = get_webhook_scheduler()
    for job in list(scheduler.get_jobs()):
        scheduler.enqueue_job(job)  # as if due: their arguments must suit the job
    make_worker_run()
    return FailedJobRegistry(queue=get_webhook_queue()).count == 0


def make_worker_run() -> None:
    from flask import current_app

    from app.queue import make_worker

    make_worker(current_app._get_current_object()).work(burst=True, logging_level="WARNING")


def pass_time(seconds: float) -> None:
    """Move every waiting event's times back, as if `seconds` had gone by."""
    db.session.execute(
        text(
            "UPDATE webhook_events"
            " SET next_attempt_at = next_attempt_at - make_interval(secs => :s),"
            " created_at = created_at - make_interval(secs => :s) WHERE state = 'pending'"
        ),
        {"s": seconds},
    )
    db.session.commit()


def order_changes(user_id: int, count: int) -> None:
    for _ in range(count):
        change(sending_order(user_id), OrderStatus.SENDING, OrderStatus.IN_PROCESSING)


def test_a_receiver_down_for_two_minutes_gets_every_event_once_back(
    make_app, user_factory, restore_signals
):
    app, user, run_jobs = user_factory(WEBHOOK_RETRY_SECONDS=SCHEDULE, WEBHOOK_RETRY_JITTER=0.1)
    receiver = Receiver()
    port = receiver.url
    receiver.stop()  # down: connections are refused
    try:
        register(user.id, port)
        order_changes(user.id, 5)
        down_for, step, elapsed = 120, 15, 0
        run_jobs()
        while elapsed < 600 and any(e.state == "pending" for e in the_events()):
            pass_time(step)
            elapsed += step
            if elapsed >= down_for and receiver.server is None:
                receiver.start()  # back, on the same port
            requeue_lost()
            run_jobs()
        events = the_events()
        assert [e.state for e in events] == ["delivered"] * 5
        # Refused at once and after 5 s, while down; the third, 5 min later, got through.
        assert {e.attempts for e in events} == {3}
        received = {json.loads(body)["id"] for body in receiver.bodies()}
        assert received == {f"msg_{e.id.hex}" for e in events}
        assert {a.outcome for a in attempts()} == {"connection", "delivered"}
        assert no_failed_jobs()
    finally:
        receiver.stop()


def test_the_schedule_ends_in_failed_after_its_last_attempt(make_app, user_factory, receivers):
    app, user, run_jobs = user_factory(WEBHOOK_RETRY_SECONDS=(1, 1), WEBHOOK_RETRY_JITTER=0)
    receiver = receivers(status(500, "broken"))
    register(user.id, receiver.url)
    order_changes(user.id, 1)
    for _ in range(5):
        run_jobs()
        pass_time(2)
        requeue_lost()
    [event] = the_events()
    assert (event.state, event.attempts) == ("failed", 3)
    assert [a.status_code for a in attempts()] == [500, 500, 500]
    assert attempts()[0].response_start == "broken"
    assert no_failed_jobs()


def test_a_job_lost_on_the_way_is_queued_again_by_the_sweep(app, user, receiver, run_jobs):
    register(user.id, receiver.url)
    order_changes(user.id, 2)
    get_redis().delete("rq:queue:webhooks")  # the jobs never reached a worker
    run_jobs()
    assert receiver.received == []

    assert requeue_lost() == 2
    run_jobs()
    assert len(receiver.received) == 2
    assert requeue_lost() == 0


def test_a_job_run_twice_delivers_once(app, user, receiver, run_jobs):
    """The sweep may queue an event whose job is still queued: the second finds it done."""
    register(user.id, receiver.url)
    order_changes(user.id, 1)
    requeue_lost()  # a second job for the same event
    run_jobs()
    assert len(receiver.received) == 1


def test_redirects_are_not_followed(app, user, receivers, run_jobs):
    elsewhere = receivers()
    moving = receivers(redirect_to(elsewhere.url))
    register(user.id, moving.url)
    order_changes(user.id, 1)
    run_jobs()

    assert len(moving.received) == 1 and elsewhere.received == []
    [attempt] = attempts()
    assert (attempt.outcome, attempt.status_code) == ("http_error", 302)
    [event] = the_events()
    assert event.state == "pending" and event.attempts == 1


def test_the_timeout_is_honoured(make_app, user_factory, receivers):
    app, user, run_jobs = user_factory(WEBHOOK_TIMEOUT_SECONDS=0.3)
    late = receivers(slow(2))
    register(user.id, late.url)
    order_changes(user.id, 1)
    run_jobs()

    [attempt] = attempts()
    assert attempt.outcome == "timeout" and attempt.status_code is None
    assert the_events()[0].state == "pending"


def test_an_endpoint_failing_for_days_is_disabled_and_says_why(app, user, receivers, run_jobs):
    broken = receivers(status(503))
    endpoint, _ = register(user.id, broken.url)
    order_changes(user.id, 1)
    run_jobs()
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).failing_since is not None

    days_ago = WebhookEndpoint.failing_since - timedelta(days=6)
    db.session.execute(update(WebhookEndpoint).values(failing_since=days_ago))
    db.session.commit()
    pass_time(10)
    requeue_lost()
    run_jobs()

    db.session.expire_all()
    disabled = db.session.get(WebhookEndpoint, endpoint.id)
    assert (disabled.enabled, disabled.disabled_reason) == (False, "failing")
    assert disabled.disabled_error == "HTTP 503"
    sent = len(broken.received)
    pass_time(600)
    requeue_lost()
    run_jobs()
    assert len(broken.received) == sent  # nothing goes to a disabled endpoint

    broken.answer = status(200)
    service.update_endpoint(user.id, endpoint.id, enabled=True)
    run_jobs()
    assert the_events()[0].state == "delivered"
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).failing_since is None


def test_a_retry_due_later_is_a_scheduled_job_that_runs_when_due(app, user, receivers, run_jobs):
    """The scheduler process queues the retry when it is due (here: at once, as if due)."""
    from app.queue import get_webhook_scheduler

    flaky = receivers(status(503))
    register(user.id, flaky.url)
    order_changes(user.id, 1)
    run_jobs()
    scheduler = get_webhook_scheduler()
    [retry] = list(scheduler.get_jobs())
    assert retry.args == (str(the_events()[0].id),) and retry.kwargs == {}

    flaky.answer = status(200)
    pass_time(10)  # the 5 s wait is over
    scheduler.enqueue_job(retry)
    run_jobs()
    [event] = the_events()
    assert (event.state, event.attempts) == ("delivered", 2)


def test_a_retry_due_within_a_second_is_queued_at_once(make_app, user_factory, receivers):
    app, user, run_jobs = user_factory(WEBHOOK_RETRY_SECONDS=(0.2,), WEBHOOK_RETRY_JITTER=0)
    answers = iter([status(503), status(200)])
    flaky = receivers(lambda request: next(answers)(request))
    register(user.id, flaky.url)
    order_changes(user.id, 1)
    run_jobs()  # the first attempt fails, and its retry, queued at once, goes through

    [event] = the_events()
    assert (event.state, event.attempts) == ("delivered", 2)
    assert [a.status_code for a in attempts()] == [503, 200]
    assert no_failed_jobs()
