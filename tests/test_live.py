"""Live updates over server-sent events, from the owner's Redis channel only."""

import json
import threading
import time

from app.orders.live import publish_changes, sse_event


def login(app):
    client = app.test_client()
    client.post("/login", data={"email": "test@gmail.com", "password": "qwe123"})
    return client


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
    response = login(app).get("/orders/events", buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    first = next(iter(response.response))
    assert b"retry:" in (first if isinstance(first, bytes) else first.encode())

    def publish():
        time.sleep(0.3)
        with app.app_context():
            publish_changes([(other, "someone-elses", "done")])
            publish_changes([(mine, "mine", "in_processing")])

    threading.Thread(target=publish).start()
    [event] = read_events(response, 1)
    lines = event.splitlines()
    assert lines[0] == "event: order-changed"
    assert json.loads(lines[1].removeprefix("data: ")) == {
        "order_id": "mine",
        "status": "in_processing",
    }


def test_streams_are_bounded_per_process(make_app, user):
    app = make_app(LIVE_MAX_STREAMS=1, LIVE_STREAM_SECONDS=2)
    client = login(app)
    first = client.get("/orders/events", buffered=False)
    assert first.status_code == 200
    assert client.get("/orders/events").status_code == 204
    first.close()
    assert client.get("/orders/events", buffered=False).status_code == 200


def test_redis_down_means_no_stream_not_an_error(make_app, user):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    assert login(app).get("/orders/events").status_code == 204


def test_anonymous_gets_no_stream(client):
    assert client.get("/orders/events").status_code == 302
