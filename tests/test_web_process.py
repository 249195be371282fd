"""The web process as the Procfile starts it (gunicorn's gevent workers, psycopg2 made
cooperative): pages, the conditional refresh and live streams work over real HTTP, a
stream's slot is free as soon as its client leaves, an address too long to serve gets the app's
own 414 page (even past gunicorn's limit on a request line), and two instances on one host keep
their own control sockets."""

import json
import re
import socket
import stat
from pathlib import Path

import pytest
import requests
from gunicorn.ctl.client import ControlClient

from app.extensions import db, get_redis
from app.orders.live import user_channel
from app.orders.live.slots import slots_key
from app.orders.transitions import transition
from tests.support.auth import login_over_http
from tests.support.orders import insert_orders
from tests.support.processes import closed_port, process_environment
from tests.support.waiting import wait_until
from tests.support.web_process import ARTIFACTS, Server, serve, web_command

TABLE = {"HX-Request": "true", "HX-Target": "orders-table"}


@pytest.fixture
def web(app, user):
    """One gevent worker of the Procfile's web command, on the test database and Redis."""
    env = {**process_environment(app.config), "WEB_CONCURRENCY": "1"}
    with serve(web_command(closed_port()), env, "web-process", ARTIFACTS) as server:
        yield server


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        chunk = sock.recv(4096)
        assert chunk, f"the connection closed before {marker!r}: {received!r}"
        received += chunk
    return received


def test_pages_and_the_conditional_refresh(web, user):
    [(order_id, _)] = insert_orders(user.id, 1)
    cookie = {"Cookie": login_over_http(web.url)}
    page = requests.get(web.url + "/", headers=cookie, timeout=10)
    assert page.status_code == 200 and f'data-order-id="{order_id}"' in page.text
    table = requests.get(web.url + "/", headers={**cookie, **TABLE}, timeout=10)
    unchanged = {**cookie, **TABLE, "If-None-Match": table.headers["ETag"]}
    again = requests.get(web.url + "/", headers=unchanged, timeout=10)
    assert (again.status_code, again.content) == (304, b"")


def test_a_stream_delivers_changes_and_frees_its_slot_when_its_client_leaves(app, web, user):
    [(order_id, _)] = insert_orders(user.id, 1)
    sock = socket.create_connection(("127.0.0.1", int(web.url.rsplit(":", 1)[1])), timeout=10)
    sock.sendall(
        f"GET /orders/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {login_over_http(web.url)}"
        "\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    assert read_until(sock, b"retry:").startswith(b"HTTP/1.1 200")
    held = get_redis().zcard
    assert held(slots_key(user.id)) == 1

    probe = json.dumps({"order_id": "probe", "status": "probe"})
    wait_until(lambda: get_redis().publish(user_channel(user.id), probe) > 0)  # hub listening
    transition(order_id, "in_processing", "done", "The provider is done")
    db.session.commit()
    assert str(order_id).encode() in read_until(sock, b'"status": "done"')

    sock.close()  # the tab goes away: nothing is written to it for 15 s
    wait_until(lambda: held(slots_key(user.id)) == 0, seconds=30)


TITLES = {"en": "Address too long", "ru": "Адрес слишком длинный"}


def app_page_414(response: requests.Response, language: str) -> bool:
    """The app's styled 414 page in `language`, not gunicorn's bare one."""
    return (
        response.status_code == 414
        and f"<title>{TITLES[language]} · Click to Mice</title>" in response.text
        and 'class="error-code">414<' in response.text
        and "app.css" in response.text
    )


@pytest.mark.parametrize("length", [20_000, 6_000])  # over gunicorn's limit, over the app's
def test_an_over_long_address_gets_the_apps_414_page_in_the_readers_language(web, length):
    session = requests.Session()  # one connection: it goes on serving after each 414
    for language in TITLES:
        address = f"{web.url}/catalog?q={'x' * length}"
        response = session.get(address, headers={"Accept-Language": language}, timeout=10)
        assert app_page_414(response, language), response.text[:300]
        assert session.get(web.url + "/login", timeout=10).status_code == 200


def test_a_long_address_within_the_bound_is_served(web, user):
    cookie = {"Cookie": login_over_http(web.url)}
    response = requests.get(f"{web.url}/?q={'x' * 3_000}", headers=cookie, timeout=10)
    assert response.status_code == 200
    assert 'value="' + "x" * 100 + '"' in response.text


def control_socket(server: Server) -> Path | None:
    """Where the instance says its control socket listens, once it does."""
    log = (ARTIFACTS / f"{server.name}.log").read_text(errors="replace")
    found = re.search(r"Control socket listening at (\S+)", log)
    return Path(found.group(1)) if found else None


def is_socket(path: Path) -> bool:
    return path.exists() and stat.S_ISSOCK(path.stat().st_mode)


def master_behind(path: Path) -> int:
    """The pid of the gunicorn master that answers on the control socket at `path`."""
    with ControlClient(str(path), timeout=5) as client:
        return client.send_command("show stats")["pid"]


def test_two_instances_on_one_host_keep_their_own_control_sockets(app):
    env = {**process_environment(app.config), "WEB_CONCURRENCY": "1"}
    with serve(web_command(closed_port()), env, "web-first", ARTIFACTS) as first:
        with serve(web_command(closed_port()), env, "web-second", ARTIFACTS) as second:
            paths = [wait_until(lambda s=s: control_socket(s), seconds=30) for s in (first, second)]
            assert paths[0] != paths[1] and all(is_socket(path) for path in paths)
            assert [master_behind(path) for path in paths] == [
                first.process.pid,
                second.process.pid,
            ]
        assert not paths[1].exists()
        assert is_socket(paths[0]) and master_behind(paths[0]) == first.process.pid
