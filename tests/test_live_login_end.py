"""A live stream ends with its login, on every web process: the web process runs as the Procfile
starts it (gunicorn, two gevent workers) and each way a login ends closes that login's streams
on both workers within 2 s, with a last `login-ended` event, while the customer's other logins
keep theirs. Each delay runs from the moment Postgres no longer holds the login as live (a
watcher asks, as the web process's check does, every few milliseconds), and the streams are
read while the login ends; the delays are printed (run with -s to see them)."""

import contextlib
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from flask import current_app
from sqlalchemy import delete, func, select, update

from app.accounts import change_password
from app.auth.sessions import digest
from app.extensions import db, get_redis
from app.models import User, UserSession
from app.orders.live import publish_changes
from app.orders.live.logins import live_among
from app.orders.live.slots import slots_key
from app.orders.transitions import Change
from tests.support.auth import PASSWORD, login_over_http
from tests.support.processes import closed_port, paused, process_environment
from tests.support.streams import LOGIN_ENDED, Tab, arrival_times, serving_process
from tests.support.waiting import wait_until
from tests.support.web_process import ARTIFACTS, serve, web_command

OTHER = ("other@example.com", "secret123")  # another customer
ENDED_WITHIN_SECONDS = 2.0  # the README's promise (a sweep every second finds a silent end)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def web(base_settings, _schema):
    """Two gevent workers of the Procfile's web command, on the test database and Redis."""
    env = {**process_environment(base_settings), "WEB_CONCURRENCY": "2"}
    with serve(web_command(closed_port()), env, "web-process-logins", ARTIFACTS) as server:
        yield server


class Browser:
    """A logged-in browser: its cookie, and the CSRF token its forms carry."""

    def __init__(self, web, email: str, password: str):
        self.web, self.cookie = web, login_over_http(web.url, email, password)
        page = requests.get(f"{web.url}/account", headers={"Cookie": self.cookie}, timeout=10)
        self.csrf_token = CSRF.search(page.text).group(1)

    def token_hash(self) -> str:
        """The digest of its login's token, read from its signed session cookie."""
        signed = re.search(r"(?:^|; )session=([^;]+)", self.cookie).group(1)
        serializer = current_app.session_interface.get_signing_serializer(current_app)
        return digest(serializer.loads(signed)["_user_id"])

    def post(self, path: str, **fields) -> requests.Response:
        return requests.post(
            self.web.url + path,
            data={"csrf_token": self.csrf_token, **fields},
            headers={"Cookie": self.cookie},
            allow_redirects=False,
            timeout=10,
        )


def tabs_on_both_workers(web, cookie: str) -> list[Tab]:
    """Tabs of one login, one served by each worker: each next tab is opened while the workers
    that serve the tabs before it are paused, so the kernel hands it to another."""
    workers, port = web.processes()[1:], int(web.url.rsplit(":", 1)[1])
    assert len(workers) == 2
    tabs, serving = [], []
    while len(tabs) < len(workers):
        with contextlib.ExitStack() as stack:
            for pid in serving:
                stack.enter_context(paused(pid))
            tabs.append(Tab(web.url, cookie))
        serving.append(serving_process(workers, port, tabs[-1]))
    assert sorted(serving) == sorted(workers)
    return tabs


def end_by_logout(ending: Browser, kept: Browser, user_id: int) -> None:
    assert ending.post("/logout").status_code == 302


def end_as_other_sessions(ending: Browser, kept: Browser, user_id: int) -> None:
    assert kept.post("/account/sessions/end-others").status_code == 303


def end_by_password_change(ending: Browser, kept: Browser, user_id: int) -> None:
    new = "n3w-secret"
    fields = {"current_password": PASSWORD, "new_password": new, "repeat_password": new}
    assert kept.post("/account/password", **fields).status_code == 303


def end_by_password_command(ending: Browser, kept: Browser, user_id: int) -> None:
    """`seed-user` with a new password: every login of the user ends."""
    change_password(db.session.get(User, user_id), "n3w-secret")


def end_by_expiry(ending: Browser, kept: Browser, user_id: int) -> None:
    """The ending login (the user's first) reaches SESSION_MAX_AGE_SECONDS, as the database's
    clock tells; the web process's own idea of its expiry is still days away."""
    first = select(func.min(UserSession.id)).where(UserSession.user_id == user_id)
    age = timedelta(seconds=current_app.config["SESSION_MAX_AGE_SECONDS"] + 1)
    aged = update(UserSession).where(UserSession.id == first.scalar_subquery())
    db.session.execute(aged.values(created_at=func.now() - age))
    db.session.commit()


def end_by_deleting_the_user(ending: Browser, kept: Browser, user_id: int) -> None:
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()


# Each way, and whether the customer's other login (else another customer's) keeps its streams.
WAYS: dict[str, tuple[Callable, bool]] = {
    "logout": (end_by_logout, True),
    "log out other sessions": (end_as_other_sessions, True),
    "password change": (end_by_password_change, True),
    "new password (seed-user)": (end_by_password_command, False),
    "expired login": (end_by_expiry, True),
    "deleted user": (end_by_deleting_the_user, False),
}


def in_app(app, call: Callable, *args):
    """`call(*args)` in an app context of its own (for a thread of the test)."""
    with app.app_context():
        return call(*args)


def moment_login_ends(token_hash: str) -> float:
    """When (time.monotonic()) Postgres stops holding the login as live, asked as the web
    process's check asks, every few milliseconds."""
    wait_until(lambda: not live_among([token_hash]), seconds=10, step=0.005)
    return time.monotonic()


def still_streaming(user_id: int, tabs: list[Tab]) -> None:
    """The kept tabs still receive the user's changes, and never heard their login ended."""
    probe = f'"order_id": "probe-{user_id}"'.encode()
    publish_changes([Change(f"probe-{user_id}", user_id, "in_processing", "done", 1)])
    for tab in tabs:
        tab.read_until(probe, seconds=30)
        assert LOGIN_ENDED not in tab.received


@pytest.mark.parametrize("way", WAYS)
def test_a_stream_ends_with_its_login_on_every_worker(app, web, user, factory, way):
    end, same_customer_keeps = WAYS[way]
    other = factory.user(email=OTHER[0], password=OTHER[1])
    kept_owner, kept_password = (user, PASSWORD) if same_customer_keeps else (other, OTHER[1])
    user_id, kept_id = user.id, kept_owner.id
    ending = Browser(web, user.email, PASSWORD)
    kept = Browser(web, kept_owner.email, kept_password)
    ending_tabs = tabs_on_both_workers(web, ending.cookie)
    kept_tabs = [Tab(web.url, kept.cookie), Tab(web.url, kept.cookie)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        login_gone = pool.submit(in_app, app, moment_login_ends, ending.token_hash())
        asked = time.monotonic()
        ended = pool.submit(in_app, app, end, ending, kept, user_id)
        arrived = arrival_times(ending_tabs, LOGIN_ENDED, seconds=10)
        ended.result(timeout=10)
        gone = login_gone.result(timeout=10)
    delays = sorted(max(moment - gone, 0) for moment in arrived.values())
    print(
        f"\n{way}: the login's {len(delays)} streams on both workers ended "
        f"{delays[0]:.3f} to {delays[-1]:.3f} s after the login did "
        f"({gone - asked:.3f} s after the end was asked for)"
    )
    assert delays[-1] < ENDED_WITHIN_SECONDS

    still_streaming(kept_id, kept_tabs)
    held = len(kept_tabs) if same_customer_keeps else 0
    wait_until(lambda: get_redis().zcard(slots_key(user_id)) == held, seconds=30)
    for tab in ending_tabs + kept_tabs:
        tab.close()
