"""A new web process does its one-off work before its first request (gunicorn's
post_worker_init), so the first customers after a start or a deploy do not wait for it:

- Jinja compiles every page template (a few hundred milliseconds for the dashboard's);
- SQLAlchemy configures the models, Babel loads each language's locale data and Flask-Babel its
  translations, by drawing the dashboard's table once in each language from a made-up listing
  (no one's orders, and nothing kept: app/kept.py keeps only what requests draw);
- the dashboard's statements (the login check, the listing and its stats) are compiled and run
  once for no one, which also opens the process's first database connection.

Without this, each process's first dashboard took 40-70 ms more than the next one. A database
that does not answer at start leaves only its own part undone: the process starts all the same,
and its first request compiles those statements instead."""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import Flask, render_template
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from app.auth.sessions import load_session_user
from app.i18n import COOKIE, LANGUAGES
from app.models import Order, OrderStatus
from app.orders.queries import ItemSummary, ListingArgs, OrdersPage, OrderStats, list_orders
from app.outage import one_line

log = logging.getLogger(__name__)

NO_ONE = 0  # no user has this id (ids start at 1)


def compile_templates(app: Flask) -> list[str]:
    """Compile and keep (in Jinja's cache) every HTML template; their names."""
    env = app.jinja_env
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return names


def warm_up_dashboard(app: Flask) -> None:
    """The rest of the one-off work a process's first dashboard would do (after
    `compile_templates`)."""
    configure_mappers()
    for language in LANGUAGES:
        draw_sample_table(app, language)
    try:
        run_dashboard_statements(app)
    except SQLAlchemyError as error:
        log.warning("the dashboard's statements were not run at start: %s", one_line(error))


def sample_listing() -> OrdersPage:
    """A made-up page of orders, one in each status, dated this year and an earlier one, with
    its stats and a next page: every branch the table draws a row or a date with."""
    now = datetime.now(UTC)
    orders = [
        Order(
            id=uuid.UUID(int=number),
            status=status,
            revision=1,
            price=Decimal("1000.00"),
            tax=Decimal("200.00"),
            gross=Decimal("1200.00"),
            created_at=now - timedelta(days=400),
            updated_at=now,
        )
        for number, status in enumerate(OrderStatus.LABELS, start=1)
    ]
    summaries = {order.id: ItemSummary("Sample", 2) for order in orders}
    stats = OrderStats(1, 1, Decimal("1200.00"), {"": len(orders)})
    return OrdersPage(orders, 1, 2, 2 * len(orders), "", "", summaries, stats)


def draw_sample_table(app: Flask, language: str) -> str:
    """The dashboard's table of `sample_listing()` in `language`, as a request for it draws it
    (in its own app context: a fresh `g`, where the request's language is kept)."""
    cookie = {"Cookie": f"{COOKIE}={language}"}
    with app.app_context(), app.test_request_context("/", headers=cookie):
        return render_template("orders/_table.html", listing=sample_listing(), table_tag="")


def run_dashboard_statements(app: Flask) -> None:
    """A dashboard's statements, compiled and kept by SQLAlchemy, run for no one (in their own
    app context, whose database session ends with it). Twice: the listing's subqueries are built
    once for every listing (app/orders/queries.py), and SQLAlchemy sets its ORM options on them
    as it first compiles one, which changes their cache key; so the first compile is kept under
    a key no request looks up, and the second under the one they do."""
    for _ in range(2):
        with app.app_context(), app.test_request_context("/"):
            load_session_user("no-one")
            list_orders(NO_ONE, ListingArgs(), app.config["ORDERS_PER_PAGE"])
