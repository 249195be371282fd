"""Browser fixtures: Debian's Chromium driving the app served over HTTP, with CSRF on, a real
RQ worker process, the sandbox provider, and a guard that fails a test on any browser error."""

import contextlib
import os
import re
import threading
import uuid

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, expect

from app.extensions import db
from app.models import User
from app.orders import sending
from app.queue import get_queue, get_send_queue, get_webhook_queue
from tests.browser.helpers import SEEDED_EMAIL, TIMEZONE, log_in
from tests.browser.servers import LiveServer, SyncClock
from tests.support.processes import WorkerProcess, process_environment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

LIVE_SETTINGS = {
    "WTF_CSRF_ENABLED": True,
    "ORDERS_REFRESH_SECONDS": 2,
    "SYNC_INTERVAL_SECONDS": 1,
    "LIVE_MAX_STREAMS": 32,
    "LIVE_STREAM_SECONDS": 60,
    "WORKER_HEARTBEAT_SECONDS": 1,  # the worker shows again soon after a test flushes Redis
}
CONTEXT_ARGS = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "en-GB",
    "timezone_id": TIMEZONE,
}

expect.set_options(timeout=10_000)  # only a failing wait takes this long


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def app(make_app, request):
    """The app as the browser sees it: CSRF on, short refresh and sync intervals. A test module
    may change settings with a module-level APP_SETTINGS dict."""
    app = make_app(**{**LIVE_SETTINGS, **getattr(request.module, "APP_SETTINGS", {})})
    with app.app_context():
        yield app


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="package")
def worker_process(base_settings, _schema):
    """One `python worker.py` for the browser tests, stopped when they end so it never takes
    the jobs of the other tests. It reads the test database, Redis and sandbox."""
    settings = {**base_settings, **LIVE_SETTINGS}
    worker = WorkerProcess(process_environment(settings), settings["REDIS_URL"])
    yield worker.start()
    worker.stop()


@pytest.fixture
def worker(app, worker_process):
    """The worker, checked alive for this test, and idle again before the next test's clean-up
    (the clean state flushes Redis and empties the tables between tests)."""
    assert worker_process.process.poll() is None, worker_process.log_tail()
    yield worker_process
    worker_process.wait_until_idle([get_send_queue(), get_queue(), get_webhook_queue()])


@pytest.fixture
def sync_clock(app, worker):
    """The periodic status sync, run by the worker about every second."""
    with SyncClock(app, every=LIVE_SETTINGS["SYNC_INTERVAL_SECONDS"]) as clock:
        yield clock


class HeldSends:
    """The sends customers ask for wait here, unqueued, until the test lets them go: their
    orders stay in sending (and their pages say "Sending…") for as long as the test looks,
    however fast the worker and however slow the browser."""

    def __init__(self, app):
        self.app = app
        self.enqueue_send = sending.enqueue_send
        self.lock = threading.Lock()
        self.holding = True
        self.waiting: list[tuple[uuid.UUID, str, float]] = []

    def enqueue(self, order_id: uuid.UUID, job_id: str, delay: float = 0) -> bool:
        with self.lock:
            if self.holding:
                self.waiting.append((order_id, job_id, delay))
                return True
        return self.enqueue_send(order_id, job_id, delay)

    def release(self) -> None:
        """Queue every send held so far for the worker, and every later one at once."""
        with self.lock:
            self.holding = False
            waiting, self.waiting = self.waiting, []
        assert waiting, "no send was held"
        with self.app.app_context():
            for order_id, job_id, delay in waiting:
                assert self.enqueue_send(order_id, job_id, delay)


@pytest.fixture
def held_sends(app, monkeypatch) -> HeldSends:
    """Sends held back from the worker until `held_sends.release()` (see HeldSends)."""
    held = HeldSends(app)
    monkeypatch.setattr(sending, "enqueue_send", held.enqueue)
    return held


@pytest.fixture
def provider_at_work(sandbox):
    """The provider keeps every order it registers in its working states ("new", then
    "processing") until the test finishes one with `sandbox.force_state(uuid, "done")`."""
    sandbox.set_knobs(processing_seconds=24 * 3600)
    return sandbox


class BrowserErrors:
    """Console errors and uncaught page errors seen in a test; none is allowed unless named."""

    def __init__(self):
        self.seen: list[str] = []
        self.allowed: list[re.Pattern] = []

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self.on_console)
        context.on("weberror", lambda web_error: self.seen.append(f"page error: {web_error.error}"))

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.page.url if message.page else message.location.get("url")
            self.seen.append(f"console error: {message.text} (on {where})")

    def allow(self, pattern: str) -> None:
        """Expect errors matching `pattern` (e.g. the browser's log line for a 401 response)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.seen if not any(p.search(e) for p in self.allowed)]


@pytest.fixture(autouse=True)
def browser_errors():
    errors = BrowserErrors()
    yield errors
    unexpected = errors.unexpected()
    assert not unexpected, "the browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def open_context(live_server, new_context, browser_errors):
    """A fresh browser context on the live server; keyword arguments as for new_context.
    Its contexts close before the server stops, so no poll meets a closed socket."""
    contexts = []

    def open_(**kwargs) -> BrowserContext:
        context = new_context(base_url=live_server.url, **{**CONTEXT_ARGS, **kwargs})
        context.set_default_timeout(10_000)
        browser_errors.watch(context)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        with contextlib.suppress(ValueError, Error):  # closed by the test already
            leave_pages(context)
            context.close()


def leave_pages(context: BrowserContext) -> None:
    """Unload every page the way a browser does when the user goes elsewhere, so a poll in
    flight at the end of a test is dropped quietly instead of aborted by a closing context."""
    for page in context.pages:
        page.goto("about:blank")


@pytest.fixture
def context(open_context) -> BrowserContext:
    return open_context()


@pytest.fixture
def seeded_user(app) -> User:
    """The account `flask seed-user` creates."""
    result = app.test_cli_runner().invoke(args=["seed-user"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(db.select(User).filter_by(email=SEEDED_EMAIL))


@pytest.fixture
def user_page(page, seeded_user) -> Page:
    """A page logged in as the seeded user, on the dashboard."""
    log_in(page)
    return page
