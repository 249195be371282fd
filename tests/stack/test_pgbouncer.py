"""Everything through PgBouncer in transaction mode: a server connection serves one transaction
of one client, so nothing may rely on what a connection keeps between transactions."""

import re
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.config import Config
from app.extensions import db
from app.models import Order, OrderStatus
from deploy.files import PGBOUNCER_MAX_CLIENTS
from deploy.settings import StackSettings
from tests.conftest import settings_for_tests
from tests.support.waiting import wait_until

APP = Path(__file__).resolve().parents[2] / "app"
# What would keep state on a pooled connection: LISTEN, session advisory locks, a SET that is
# not LOCAL, prepared statements, temporary tables.
SESSION_STATE = re.compile(
    r"\bLISTEN\s|pg_(try_)?advisory_lock(_shared)?\(|[\"']\s*SET\s+(?!LOCAL\b)[a-z_]+\s*(=|TO)"
    r"|\bPREPARE\s+\w|CREATE\s+TEMP",
    re.IGNORECASE,
)


def test_an_order_goes_from_draft_to_done_through_nginx_and_pgbouncer(
    stack, make_customer, sandbox_control, direct_app
):
    customer = make_customer().logged_in()
    order_id = customer.create_draft(customer.services())
    assert customer.send(order_id).status_code == 303

    def status() -> str:
        db.session.expire_all()
        return db.session.get(Order, order_id).status

    wait_until(lambda: status() == OrderStatus.DONE, seconds=30, explain=status)
    page = customer.http.get(f"/orders/{order_id}")
    assert page.status_code == 200 and "Done" in page.text


@pytest.fixture
def pooled_app(stack):
    """An app in the test process that reaches Postgres as the stack's processes do."""
    url = stack.settings.pooled_database_url().replace("postgresql://", "postgresql+psycopg2://")
    app = create_app(settings_for_tests(SQLALCHEMY_DATABASE_URI=url, DATABASE_STARTUP_OPTIONS=0))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_statement_timeout_holds_through_pgbouncer(pooled_app):
    assert db.session.execute(text("SHOW statement_timeout")).scalar() == "2s"
    with pytest.raises(OperationalError, match="statement timeout"):
        db.session.execute(text("SELECT pg_sleep(3)"))
    db.session.rollback()
    assert db.session.execute(text("SELECT 1")).scalar() == 1  # the pool goes on


def test_pgbouncer_refuses_start_up_options_which_the_stack_does_not_send(stack):
    """Why the stack runs with DATABASE_STARTUP_OPTIONS=0 (PgBouncer sets the timeout)."""
    with pytest.raises(psycopg2.OperationalError, match="unsupported startup parameter"):
        psycopg2.connect(stack.settings.pooled_database_url(), options="-c statement_timeout=1")


def test_the_app_keeps_no_state_on_a_database_connection():
    found = [
        f"{path.relative_to(APP)}: {match.group(0)!r}"
        for path in APP.rglob("*.py")
        for match in SESSION_STATE.finditer(path.read_text())
    ]
    assert not found, found


def test_every_process_may_open_its_whole_pool_at_once_within_pgbouncers_clients():
    """Each web process, worker and the scheduler may hold DATABASE_POOL_SIZE plus the stack's
    overflow of client connections, all at the same moment, without PgBouncer refusing one."""
    settings = StackSettings()
    app_env = settings.app_environment()
    per_process = Config.DATABASE_POOL_SIZE + int(app_env["DATABASE_POOL_OVERFLOW"])
    processes = len(settings.hosts) * (settings.web_concurrency + 1) + 1
    assert per_process > Config.DATABASE_POOL_SIZE + Config.DATABASE_POOL_OVERFLOW
    assert processes * per_process <= PGBOUNCER_MAX_CLIENTS
