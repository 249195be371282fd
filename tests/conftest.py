"""Fixtures on real services: Postgres, Redis, and the sandbox provider over HTTP."""

import logging
import signal
import threading

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from app import create_app
from app.catalog.service import get_catalog, wait_for_background_refresh
from app.config import TestConfig
from app.extensions import db
from app.i18n import compile_translations
from app.orders.drafts import create_draft
from app.queue import make_worker
from sandbox import create_sandbox_app
from sandbox.client import SandboxControl
from sandbox.settings import SandboxSettings
from tests.chaos.proxy import FaultProxy
from tests.factories import Factory
from tests.support.auth import EMAIL, PASSWORD, AuthActions
from tests.support.database import rebuild_schema

TABLES = "order_events, order_items, orders, users"


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (fresh `g` and database session), as in production,
    even while a test holds an app context open for its own queries."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def settings_for_tests(**overrides) -> dict:
    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def sandbox_url():
    """The sandbox provider, served on a free port from a thread for the whole session."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request served
    settings = SandboxSettings(redis_url=TestConfig.REDIS_URL, prefix="sandbox")
    server = make_server("127.0.0.1", 0, create_sandbox_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_settings(sandbox_url):
    return settings_for_tests(
        CATALOG_SERVICES_BASE_URL=sandbox_url, ORDER_SERVICE_BASE_URL=sandbox_url
    )


@pytest.fixture(scope="session", autouse=True)
def _translations():
    """The .mo files from the .po files as they are now (they are built, not kept in git)."""
    compile_translations()


@pytest.fixture(scope="session")
def _schema(base_settings):
    """A dedicated test database, created if missing, its schema built by the migrations."""
    rebuild_schema(base_settings)


@pytest.fixture
def make_app(base_settings, _schema):
    """Build an app with extra settings; every app built shares the clean test state."""
    apps = []

    def build(**overrides):
        app = create_app({**base_settings, **overrides})
        app.test_client_class = FreshContextClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        wait_for_background_refresh(app)  # so it cannot fill the next test's cache
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def raw_engine(base_settings, _schema):
    engine = create_engine(base_settings["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def clean_state(request, base_settings):
    """Empty tables and a flushed Redis database before every test that uses the app."""
    if "make_app" not in request.fixturenames:
        return
    engine = request.getfixturevalue("raw_engine")
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    redis.Redis.from_url(base_settings["REDIS_URL"]).flushdb()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sandbox(sandbox_url):
    return SandboxControl(sandbox_url)


@pytest.fixture
def factory(app):
    return Factory(db.session)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(factory):
    return factory.user(email=EMAIL, password=PASSWORD)


@pytest.fixture
def logged_in(auth, user):
    response = auth.login()
    assert response.status_code == 302
    return user


@pytest.fixture
def restore_signals():
    """RQ workers install SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def run_jobs(app, restore_signals):
    """Run every queued job in this process (an RQ worker in burst mode)."""

    def run():
        make_worker(app).work(burst=True, logging_level="WARNING")

    return run


@pytest.fixture
def services(app, sandbox):
    """The sandbox catalog as the app reads it."""
    return list(get_catalog().services)


@pytest.fixture
def draft(logged_in, services):
    """A draft of the logged-in user with the first two services."""
    return create_draft(logged_in.id, [services[0].uuid, services[1].uuid])


@pytest.fixture
def operator(factory):
    return factory.user(email="ops@example.com", password="ops-secret", operator=True)


@pytest.fixture
def operator_client(app, operator):
    """A client logged in as an operator (a separate browser from `client`)."""
    client = app.test_client()
    response = client.post("/login", data={"email": operator.email, "password": "ops-secret"})
    assert response.status_code == 302
    return client


@pytest.fixture
def redis_proxy(app):
    """A TCP fault proxy in front of the tests' Redis: point an app at `redis_proxy.url(...)`
    and cut or freeze it without touching the shared server."""
    proxy = FaultProxy.in_front_of(app.config["REDIS_URL"], "redis")
    yield proxy
    proxy.stop()


@pytest.fixture
def provider_down(sandbox, services):
    """Every provider request answers 503 (the catalog is read and cached before)."""
    sandbox.set_knobs(error_rate=1.0)
    yield
    sandbox.set_knobs(error_rate=0.0)
