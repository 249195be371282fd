"""A web process told to stop (SIGTERM, a deploy) ends its live streams at once with a short
`retry:`, so each browser reconnects within a fraction of a second to a process that stays;
a stream asked for while it stops ends at once too, without waiting for a subscription."""

import time

from app.orders.live import RECONNECT_ELSEWHERE_MS, EventStream
from app.orders.live.hub import Hub, Listener
from app.orders.live.logins import StreamLogin
from app.orders.live.slots import take_slot


def open_stream(app, user) -> EventStream:
    hub = app.extensions["live_hub"]
    login = StreamLogin("digest", time.time() + 3600)
    listener = Listener(user.id, login, take_slot(user.id))
    hub.join(listener)
    return EventStream(hub, listener, time.monotonic() + 60)


def test_stopping_ends_every_stream_with_a_quick_retry(app, user):
    stream = open_stream(app, user)
    events = iter(stream)
    assert next(events) == "retry: 3000\n\n"
    app.extensions["live_hub"].end_all()
    assert list(events) == [f"retry: {RECONNECT_ELSEWHERE_MS}\n\n"]
    assert app.extensions["live_hub"].count() == 0


def test_a_stream_opened_while_the_process_stops_ends_at_once(app, user):
    hub: Hub = app.extensions["live_hub"]
    hub.end_all()
    started = time.monotonic()
    answer = list(open_stream(app, user))
    assert answer[-1] == f"retry: {RECONNECT_ELSEWHERE_MS}\n\n"
    assert time.monotonic() - started < 1  # no wait for the subscription (5 s)
    assert hub.count() == 0
