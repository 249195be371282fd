"""Every request asks Postgres: nothing about a login is kept in a web process, so an ended
login is refused at its next request by every process, and no process listens for notices (a
connection pooler in transaction mode would deliver none)."""

import http.client
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from tests.support.auth import login_over_http
from tests.support.processes import closed_port, process_environment
from tests.support.streams import server_side_inode
from tests.support.waiting import wait_until
from tests.support.web_process import ARTIFACTS, serve, web_command


@pytest.fixture
def web(app, user):
    env = {**process_environment(app.config), "WEB_CONCURRENCY": "2"}
    with serve(web_command(closed_port()), env, "truth-web", ARTIFACTS) as server:
        yield server


def dashboard(connection: http.client.HTTPConnection, cookie: str) -> int:
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    return response.status


def serving_pid(web, connection: http.client.HTTPConnection) -> int:
    """The web process that holds this kept-alive connection's other end."""
    server_port = int(web.url.rsplit(":", 1)[1])
    inode = server_side_inode(server_port, connection.sock.getsockname()[1])
    for pid in web.processes()[1:]:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            if fd.readlink().name == f"socket:[{inode}]":
                return pid
    raise LookupError("no web process holds the connection")


def one_connection_per_process(web, cookie: str) -> dict[int, http.client.HTTPConnection]:
    """Kept-alive connections, opened until each web process holds one; each has shown the
    dashboard once."""
    held: dict[int, http.client.HTTPConnection] = {}
    host, port = web.url.removeprefix("http://").split(":")

    def another() -> bool:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        assert dashboard(connection, cookie) == 200
        held.setdefault(serving_pid(web, connection), connection)
        return len(held) == len(web.processes()) - 1

    wait_until(another, seconds=60, step=0)
    return held


def log_out(url: str, cookie: str) -> None:
    session = requests.Session()
    page = session.get(f"{url}/", headers={"Cookie": cookie}, timeout=30).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = session.post(
        f"{url}/logout",
        data={"csrf_token": token},
        headers={"Cookie": cookie},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303)


def test_a_logged_out_cookie_is_refused_by_every_process_at_once(web, raw_engine):
    cookie = login_over_http(web.url)
    connections = one_connection_per_process(web, cookie)
    assert len(connections) == 2
    log_out(web.url, cookie)
    assert [dashboard(c, cookie) for c in connections.values()] == [302, 302]  # to the login
    with raw_engine.connect() as conn:
        listening = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'")
        ).scalar()
    assert listening == 0
