"""Fixtures of the chaos suite: one stack of real processes for the whole suite, a clean slate
and a logged-in customer per test, the promises checked after every test, and the recovery
times printed at the end of the run."""

import pytest
import redis
import requests
from sqlalchemy import create_engine, text

from app.accounts import upsert_user
from app.config import TestConfig
from tests.chaos.customer import Customer
from tests.chaos.orders import OrderBook
from tests.chaos.processes import ARTIFACTS
from tests.chaos.promises import Promises
from tests.chaos.stack import Stack
from tests.support.database import rebuild_schema

EMAIL, PASSWORD = "chaos@example.com", "chaos-password"
RECOVERIES = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[RECOVERIES] = {}


@pytest.fixture(scope="session")
def recoveries(request) -> dict:
    return request.config.stash[RECOVERIES]


def pytest_terminal_summary(terminalreporter, config):
    measured = config.stash.get(RECOVERIES, {})
    if not measured:
        return
    lines = [f"{name:<60} {seconds:7.1f} s" for name, seconds in measured.items()]
    terminalreporter.write_sep("-", "chaos suite: recovery times")
    for line in lines:
        terminalreporter.write_line(line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "recovery.txt").write_text("\n".join(lines) + "\n")


def prepare_database(settings: dict) -> None:
    """The test database with the current schema, empty, and the chaos customer in it."""
    with rebuild_schema(settings).app_context():
        upsert_user(EMAIL, PASSWORD)


@pytest.fixture(scope="package")
def chaos_stack():
    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    prepare_database(settings)
    redis.Redis.from_url(TestConfig.REDIS_URL).flushdb()
    for log in ARTIFACTS.glob("*.log"):
        log.unlink()
    stack = Stack(TestConfig.SQLALCHEMY_DATABASE_URI, TestConfig.REDIS_URL).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="package")
def engine(chaos_stack):
    engine = create_engine(TestConfig.SQLALCHEMY_DATABASE_URI)
    yield engine
    engine.dispose()


@pytest.fixture(scope="package")
def services(chaos_stack) -> list[str]:
    """The uuids of the provider's catalog, read straight from the sandbox."""
    headers = {"Authorization": "Bearer sandbox-catalog-token"}
    found = []
    for page in (1, 2, 3):
        url = f"{chaos_stack.sandbox_url}/api/service?page={page}"
        page_items = requests.get(url, headers=headers, timeout=5).json()["data"]
        found += [item["uuid"] for item in page_items]
    return found


@pytest.fixture
def stack(chaos_stack, engine):
    """The stack, with every process alive, every proxy forwarding, no orders and no faults."""
    for name, process in chaos_stack.processes.items():
        if not process.alive():
            chaos_stack.start_process(name.split("-")[0], name)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM orders"))
    chaos_stack.redis.delete("sync:paused", "sync:provider-down")
    chaos_stack.sandbox.reset()
    chaos_stack.sandbox.set_knobs(request_log=1)
    yield chaos_stack
    for proxy in (chaos_stack.redis_proxy, chaos_stack.postgres_proxy, chaos_stack.provider_proxy):
        proxy.restore()
    for extra in [name for name in chaos_stack.processes if "-" in name]:
        chaos_stack.processes.pop(extra).stop()


@pytest.fixture
def promises(stack, engine):
    with Promises(engine, stack.sandbox) as watching:
        yield watching
    watching.assert_kept()


@pytest.fixture
def customer(stack, promises) -> Customer:
    return promises.watch_customer(Customer(stack.web_url, EMAIL, PASSWORD).log_in())


@pytest.fixture
def orders(engine, stack, promises) -> OrderBook:
    return OrderBook(engine, promises)
