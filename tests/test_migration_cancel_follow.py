"""Migration 0009: an order cancelled here that the provider was still being asked about is
followed by the status sync from then on; one the asking had finished with stays as it is."""

import uuid

import pytest
from sqlalchemy import inspect, text

from app.extensions import db
from tests.factories import password_hash
from tests.support.database import app_migrated_from, dispose

STILL_ASKED = uuid.UUID("00000000-0000-4000-8000-000000000091")
ANSWERED = uuid.UUID("00000000-0000-4000-8000-000000000092")


def cancelled_orders(conn) -> None:
    user_id = conn.execute(
        text("INSERT INTO users (email, password_hash) VALUES ('c@example.com', :p) RETURNING id"),
        {"p": password_hash("secret123")},
    ).scalar_one()
    for order_id, check_at, state in ((STILL_ASKED, "now()", None), (ANSWERED, "NULL", "done")):
        conn.execute(
            text(
                "INSERT INTO orders (id, user_id, status, price, tax, gross, external_uuid, "
                f"after_cancel_check_at, after_cancel_state) VALUES (:id, :user_id, "
                f"'cancelled', 1, 0, 1, :external, {check_at}, :state)"
            ),
            {"id": order_id, "user_id": user_id, "external": uuid.uuid4(), "state": state},
        )


@pytest.fixture(scope="module")
def migrated_app(base_settings):
    app = app_migrated_from(base_settings, "_follow", "0008", cancelled_orders)
    yield app
    dispose(app)


def test_orders_still_asked_about_are_followed_by_the_sync(migrated_app):
    with migrated_app.app_context():
        rows = dict(db.session.execute(text("SELECT id, follow_provider FROM orders")).all())
        columns = {c["name"] for c in inspect(db.engine).get_columns("orders")}
    assert rows == {STILL_ASKED: True, ANSWERED: False}
    assert "after_cancel_check_at" not in columns and "after_cancel_state" in columns
