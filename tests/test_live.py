"""Live updates over server-sent events, from the owner's Redis channel only."""

import json
import threading
import time

import pytest
import redis

from app.extensions import db, get_redis
from app.orders.live import publish_changes, sse_event, stream_lifetime, user_channel
from app.orders.transitions import Change, transition
from tests.support.auth import logged_in_client, session_client
from tests.support.orders import insert_orders
from tests.support.waiting import wait_until


def read_events(response, count: int, timeout: float = 5.0) -> list[str]:
    """The first `count` events (comments skipped) of a streaming response."""
    events, buffer, deadline = [], "", time.monotonic() + timeout
    for chunk in response.response:
        buffer += chunk if isinstance(chunk, str) else chunk.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            if block.startswith("event:"):
                events.append(block)
        if len(events) >= count or time.monotonic() > deadline:
            break
    response.close()
    return events


def test_event_format_survives_multi_line_data():
    assert sse_event("a\nb", "x") == "event: x\ndata: a\ndata: b\n\n"
    assert sse_event("") == "data: \n\n"


def test_stream_carries_only_my_changes(make_app, user, factory):
    app = make_app(LIVE_STREAM_SECONDS=3)
    mine, other = user.id, factory.user().id
    response = logged_in_client(app).get("/orders/events", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    first = next(iter(response.response))
    assert b"retry:" in (first if isinstance(first, bytes) else first.encode())

    def publish():
        with app.app_context():
            wait_until(app.extensions["live_hub"].listening.is_set, seconds=30)
            publish_changes([Change("someone-elses", other, "sending", "done", 1)])
            publish_changes([Change("mine", mine, "sending", "in_processing", 3)])

    threading.Thread(target=publish).start()
    [event] = read_events(response, 1)
    lines = event.splitlines()
    assert lines[0] == "event: order-changed"
    assert json.loads(lines[1].removeprefix("data: ")) == {
        "order_id": "mine",
        "status": "in_processing",
        "revision": 3,
    }


def test_streams_end_at_spread_times_so_tabs_do_not_reconnect_together():
    lifetimes = [
        stream_lifetime({"LIVE_STREAM_SECONDS": 300, "LIVE_STREAM_JITTER": 0.2}) for _ in range(200)
    ]
    assert min(lifetimes) >= 240 and max(lifetimes) <= 300
    assert max(lifetimes) - min(lifetimes) > 30 and len(set(lifetimes)) > 150
    assert stream_lifetime({"LIVE_STREAM_SECONDS": 300, "LIVE_STREAM_JITTER": 0}) == 300


def test_streams_are_bounded_per_process(make_app, user):
    app = make_app(LIVE_MAX_STREAMS=1, LIVE_STREAM_SECONDS=2)
    client = logged_in_client(app)
    first = client.get("/orders/events", buffered=False)
    assert first.status_code == 200
    assert client.get("/orders/events").status_code == 204
    first.close()
    assert client.get("/orders/events", buffered=False).status_code == 200


def test_redis_down_means_no_stream_not_an_error(make_app, user):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    assert session_client(app, user).get("/orders/events").status_code == 204


def test_without_a_login_a_stream_request_gets_only_the_end_of_its_login(client):
    """The page's SSE extension would try a redirect again, and again, for as long as the page
    is open; this event closes its stream (sse-close), and the page goes to the login page."""
    response = client.get("/orders/events")
    assert (response.status_code, response.mimetype) == (200, "text/event-stream")
    assert response.get_data(as_text=True) == "event: login-ended\ndata: \n\n"


def received(pubsub, seconds: float = 0.5) -> list[dict]:
    """The messages that arrive on `pubsub` within `seconds`."""
    messages, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        if message := pubsub.get_message(timeout=0.05):
            messages.append(json.loads(message["data"]))
    return messages


def test_a_change_is_published_once_committed_and_never_when_rolled_back(app, user):
    [(kept, _), (dropped, _)] = insert_orders(user.id, 2)
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(user_channel(user.id))

    assert transition(dropped, "in_processing", "cancelled", "Cancelled by the customer")
    db.session.rollback()
    db.session.commit()
    assert transition(kept, "in_processing", "done", "The order service reports done")
    assert received(pubsub, seconds=0.2) == []  # noted, not yet committed
    db.session.commit()

    assert received(pubsub) == [{"order_id": str(kept), "status": "done", "revision": 1}]
    pubsub.close()


def test_the_subscription_has_a_connection_of_its_own(make_app, user):
    """A process's one subscription never takes a connection from the pool its requests share
    (there, a burst of streams opening at once kept it from starting, and every stream of the
    process ended)."""
    app = make_app(REDIS_MAX_CONNECTIONS=1, LIVE_STREAM_SECONDS=3)
    response = logged_in_client(app).get("/orders/events", buffered=False)
    next(iter(response.response))  # the first line is written once the hub listens
    with app.app_context():
        assert app.extensions["live_hub"].listening.is_set()
        assert get_redis().ping()  # the pool's one connection is still the requests'
        publish_changes([Change("mine", user.id, "sending", "in_processing", 3)])
    [event] = read_events(response, 1)
    assert '"order_id": "mine"' in event


def test_a_redis_call_waits_for_a_free_connection_but_not_for_ever(make_app):
    app = make_app(REDIS_MAX_CONNECTIONS=1)
    with app.app_context():
        pool = get_redis().connection_pool
        held = pool.get_connection()
        threading.Timer(0.2, pool.release, [held]).start()
        assert get_redis().ping()  # waited for the connection given back
        held = pool.get_connection()
        started = time.monotonic()
        with pytest.raises(redis.ConnectionError):
            get_redis().ping()
        assert time.monotonic() - started < 5 * app.config["REDIS_SOCKET_TIMEOUT"]
        pool.release(held)
