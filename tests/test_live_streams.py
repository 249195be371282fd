"""Live streams are fair: a user holds at most LIVE_STREAMS_PER_USER of them across every web
process (one more tab gets 204 and polls), and a stream's slot is free as soon as its client
goes away, long before any write could have noticed."""

import socket
import threading

import pytest
from werkzeug.serving import make_server

from app.extensions import get_redis
from app.orders.live.slots import slots_key
from tests.support.auth import logged_in_client
from tests.support.waiting import wait_until


def stream(client):
    return client.get("/orders/events", buffered=False)


def held(app, user_id: int) -> int:
    with app.app_context():
        return get_redis().zcard(slots_key(user_id))


def test_one_tab_more_than_the_cap_gets_no_stream(make_app, user, factory):
    app = make_app(LIVE_STREAMS_PER_USER=2)
    client = logged_in_client(app)
    first, second = stream(client), stream(client)
    assert (first.status_code, second.status_code) == (200, 200)
    assert stream(client).status_code == 204
    assert held(app, user.id) == 2

    other = factory.user(email="other@example.com", password="secret123")
    theirs = stream(logged_in_client(app, other.email, "secret123"))
    assert theirs.status_code == 200  # the cap is per user, not shared

    first.close()
    assert held(app, user.id) == 1
    again = stream(client)
    assert again.status_code == 200
    for response in (second, theirs, again):
        response.close()
    assert held(app, user.id) == 0


def test_the_cap_holds_across_processes(make_app, user):
    settings = {"LIVE_STREAMS_PER_USER": 2}
    one, two = make_app(**settings), make_app(**settings)
    first = stream(logged_in_client(one))
    second = stream(logged_in_client(two))
    assert (first.status_code, second.status_code) == (200, 200)
    assert stream(logged_in_client(one)).status_code == 204
    assert stream(logged_in_client(two)).status_code == 204
    first.close()
    second.close()


@pytest.fixture
def served(make_app, user):
    """The app over real HTTP (a threaded server), one stream per user, and a logged-in
    cookie."""
    app = make_app(LIVE_STREAMS_PER_USER=1, LIVE_SLOT_LEASE_SECONDS=600)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    client = logged_in_client(app)
    cookie = f"session={client.get_cookie('session').value}"
    yield app, server.server_port, cookie
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def open_stream_socket(port: int, cookie: str) -> tuple[socket.socket, bytes]:
    """A browser tab's connection: the request, then the first bytes of the answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        f"GET /orders/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    return sock, head


def test_a_slot_is_free_as_soon_as_its_client_leaves(served, user):
    app, port, cookie = served
    tab, head = open_stream_socket(port, cookie)
    assert head.startswith(b"HTTP/1.1 200")
    wait_until(lambda: held(app, user.id) == 1)
    extra, refused = open_stream_socket(port, cookie)
    assert refused.startswith(b"HTTP/1.1 204")
    extra.close()

    tab.close()  # the tab goes away; the server has nothing to write for 15 s
    wait_until(lambda: held(app, user.id) == 0, seconds=30)
    again, head = open_stream_socket(port, cookie)
    assert head.startswith(b"HTTP/1.1 200")
    again.close()


def test_a_stream_opens_only_once_the_process_hears_the_changes(make_app, user):
    """The page refreshes its live parts when its stream opens, so the stream must not open
    before the process's one subscription is confirmed (here held back for a while)."""
    app = make_app()
    hub, subscribed = app.extensions["live_hub"], threading.Event()
    receive = hub.receive

    def confirmed_late(message):
        if message["type"] == "psubscribe":
            subscribed.wait(timeout=10)
        receive(message)

    hub.receive = confirmed_late
    client, opened = logged_in_client(app), {}

    def open_one():  # the test client returns once the stream's first bytes are written
        response = stream(client)
        opened["listening"] = hub.listening.is_set()
        opened["data"] = next(iter(response.response))
        response.close()

    opening = threading.Thread(target=open_one)
    opening.start()
    opening.join(timeout=1)  # time for a stream that does not wait to show it
    subscribed.set()
    opening.join(timeout=10)
    assert opened == {"listening": True, "data": b"retry: 3000\n\n"}
