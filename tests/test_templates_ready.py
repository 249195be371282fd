"""A web process does its one-off work before its first request (gunicorn's post_worker_init):
the templates compiled, and the dashboard's locale data, translations and statements loaded."""

import logging
from contextlib import contextmanager
from unittest import mock

from babel import localedata
from flask_babel import support
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.i18n import babel
from app.templates_ready import compile_templates, draw_sample_table, warm_up_dashboard
from tests.conftest import settings_for_tests
from tests.support.auth import session_client
from tests.support.orders import insert_orders
from tests.support.processes import closed_port

HTMX_TABLE = {"HX-Request": "true", "HX-Target": "orders-table"}


def test_every_page_template_is_compiled_and_kept_before_the_first_request():
    app = create_app(TestConfig)
    names = compile_templates(app)
    assert {"base.html", "orders/index.html", "orders/_table.html", "auth/login.html"} <= set(names)
    kept = {key[1] for key in app.jinja_env.cache}
    assert set(names) <= kept  # the first request takes them from Jinja's cache


def forget_what_the_process_loaded() -> None:
    """Babel's locale data and Flask-Babel's translations are kept per process: other tests
    in this one have loaded them already."""
    localedata.clear_caches()
    babel.domain_instance.cache.clear()


@contextmanager
def nothing_loaded_from_disk():
    """Reading a locale's data or a language's translations fails."""
    refused = AssertionError("loaded on the first request, not at start")
    with (
        mock.patch.object(localedata, "resolve_locale_filename", side_effect=refused),
        mock.patch.object(support.Translations, "load", side_effect=refused),
    ):
        yield


@contextmanager
def compiled_anew(engine):
    """The statements run meanwhile that SQLAlchemy compiled then, not found in its cache."""
    compiled = []

    def executed(conn, cursor, statement, parameters, context, executemany):
        if context.cache_hit is not CacheStats.CACHE_HIT:
            compiled.append(statement)

    event.listen(engine, "after_cursor_execute", executed)
    try:
        yield compiled
    finally:
        event.remove(engine, "after_cursor_execute", executed)


def test_a_first_dashboard_after_the_start_loads_and_compiles_nothing(app, factory):
    forget_what_the_process_loaded()
    compile_templates(app)
    warm_up_dashboard(app)
    clients = {}
    for language in ("ru", "en"):
        user = factory.user()
        user.locale = language
        db.session.commit()
        insert_orders(user.id, 3)
        clients[language] = session_client(app, user)
    with nothing_loaded_from_disk(), compiled_anew(db.engine) as compiled:
        page = clients["ru"].get("/")
        table = clients["en"].get("/", headers=HTMX_TABLE)
    assert page.status_code == table.status_code == 200
    assert "Ваши заказы" in page.text and "In processing" in table.text
    assert compiled == []


def test_a_process_whose_database_is_down_at_start_starts_all_the_same(caplog):
    down = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/clicktomice"
    app = create_app(settings_for_tests(SQLALCHEMY_DATABASE_URI=down))
    forget_what_the_process_loaded()
    with caplog.at_level(logging.WARNING, logger="app.templates_ready"):
        warm_up_dashboard(app)
    assert "the dashboard's statements were not run at start" in caplog.text
    with nothing_loaded_from_disk():  # the rest was done all the same
        assert "Черновик" in draw_sample_table(app, "ru")
