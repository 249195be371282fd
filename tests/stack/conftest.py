"""The stack as `make stack` runs it (deploy/stack.py: nginx with TLS, two web hosts, PgBouncer
in transaction mode, a worker per host, a scheduler, the sandbox), started once for these tests
on free ports, in a run directory under test-artifacts/, on the test database and Redis."""

import contextlib
import os
import socket
import uuid

import pytest
from playwright.sync_api import BrowserContext, Error
from sqlalchemy.engine import make_url

from app import create_app
from app.accounts import upsert_user
from app.config import TestConfig
from deploy.settings import StackSettings
from deploy.stack import Stack
from sandbox.client import SandboxControl
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CONTEXT_ARGS,
    BrowserErrors,
    leave_pages,
)
from tests.browser.helpers import ARTIFACTS
from tests.conftest import settings_for_tests
from tests.stack.customers import Customer

PASSWORD = "stack-password-1"
METRICS_TOKEN = "stack-tests-metrics-token-" + "x7Q2"
STACK_APP_SETTINGS = {
    "SYNC_INTERVAL_SECONDS": "1",
    "SEND_BACKOFF_SECONDS": "0",
    "LIVE_STREAM_SECONDS": "120",
    "METRICS_TOKEN": METRICS_TOKEN,
    "WORKER_HEARTBEAT_SECONDS": "1",
}


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def stack_settings() -> StackSettings:
    https, web_1, web_2, pgbouncer, sandbox = free_ports(5)
    database = make_url(TestConfig.SQLALCHEMY_DATABASE_URI).database
    return StackSettings(
        run_dir=ARTIFACTS / "stack",
        https_port=https,
        web_ports=(web_1, web_2),
        pgbouncer_port=pgbouncer,
        sandbox_port=sandbox,
        database=database,
        redis_url=TestConfig.REDIS_URL,
        web_concurrency=1,
        nginx_connections=512,
        app_env=STACK_APP_SETTINGS,
    )


@pytest.fixture(scope="package")
def stack():
    """Started once for the package; a test that kills a host starts it again when it ends."""
    stack = Stack(stack_settings())
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def healthy_stack(stack):
    """The stack with every process running, before and after the test."""
    stack.start(prepare=False)
    yield stack
    stack.start(prepare=False)


@pytest.fixture(scope="package")
def direct_app(stack):
    """An app in the test process on the stack's database (straight to Postgres), to make users
    and read what the stack wrote."""
    url = stack.settings.direct_database_url().replace("postgresql://", "postgresql+psycopg2://")
    app = create_app(settings_for_tests(SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        yield app


@pytest.fixture
def make_customer(stack, direct_app):
    """A new customer of their own (the login limit counts per account) and their client."""
    clients = []

    def make(**transport) -> Customer:
        email = f"stack-{uuid.uuid4().hex[:12]}@example.com"
        upsert_user(email, PASSWORD)
        url, certificate = stack.settings.url, stack.settings.certificate
        customer = Customer(url, email, PASSWORD, certificate, **transport)
        clients.append(customer)
        return customer

    yield make
    for customer in clients:
        customer.close()


@pytest.fixture(scope="package")
def sandbox_control(stack):
    control = SandboxControl(f"http://127.0.0.1:{stack.settings.sandbox_port}")
    control.set_knobs(processing_seconds=1)
    return control


def host_url(stack: Stack, number: int) -> str:
    return stack.settings.host_url(stack.settings.hosts[number])


# Chromium against the stack over HTTPS (its own certificate: the browser is told to accept it).
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_errors():
    errors = BrowserErrors()
    yield errors
    unexpected = errors.unexpected()
    assert not unexpected, "the browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def stack_context(stack, new_context, browser_errors):
    """A browser context on https://127.0.0.1:<port>, the stack's front door."""
    contexts = []

    def open_(**kwargs) -> BrowserContext:
        options = {**CONTEXT_ARGS, "ignore_https_errors": True, **kwargs}
        context = new_context(base_url=stack.settings.url, **options)
        context.set_default_timeout(15_000)
        browser_errors.watch(context)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        with contextlib.suppress(ValueError, Error):
            leave_pages(context)
            context.close()
