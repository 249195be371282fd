"""Migration 0008 codes the reasons written before it, by their English wording, so the old
rows read in either language; a wording it does not know stays as it was written.

It runs on a database of its own (the test database's name plus "_reasons"), migrated to 0006,
filled with old rows, then migrated to the head."""

import uuid

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.conftest import FreshContextClient
from tests.factories import password_hash
from tests.support.database import app_migrated_from, dispose

EMAIL, PASSWORD = "old@example.com", "secret123"
ORDER = uuid.UUID("00000000-0000-4000-8000-000000000008")
OLD_EVENTS = [
    (None, "draft", "Created"),
    ("draft", "sending", "Sent to processing by the customer"),
    (
        "sending",
        "draft",
        "The order service could not take the order after 3 tries: "
        "Cannot reach the order service: Connection refused",
    ),
    ("draft", "sending", "Sent from another tab"),
    ("sending", "in_processing", "Registered at the order service"),
    (
        "in_processing",
        "in_processing",
        "Status re-checked by an operator: the order service answered “processing” (12 ms)",
    ),
    ("in_processing", "done", "The order service reports the order DONE."),
]
STATUS_REASON = "The order service reports the order DONE."
CALL_ANSWERS = ["The order service answered HTTP 502.", "processing"]
CHECK_ERROR = "The order service answered HTTP 503."


@pytest.fixture(scope="module")
def migrated_app(base_settings):
    """An app on a database migrated to 0006, filled with old rows, then migrated on."""
    app = app_migrated_from(base_settings, "_reasons", "0006", insert_old_rows)
    app.test_client_class = FreshContextClient
    yield app
    dispose(app)


def insert_old_rows(conn) -> None:
    user_id = conn.execute(
        text("INSERT INTO users (email, password_hash) VALUES (:e, :p) RETURNING id"),
        {"e": EMAIL, "p": password_hash(PASSWORD)},
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO orders (id, user_id, status, price, tax, gross, status_reason, "
            "last_check_error) VALUES (:id, :user_id, 'done', 10, 2, 12, :reason, :error)"
        ),
        {"id": ORDER, "user_id": user_id, "reason": STATUS_REASON, "error": CHECK_ERROR},
    )
    for answer in CALL_ANSWERS:
        conn.execute(
            text(
                "INSERT INTO provider_calls (order_id, kind, outcome, answer) "
                "VALUES (:order_id, 'check', 'failed', :answer)"
            ),
            {"order_id": ORDER, "answer": answer},
        )
    for from_status, to_status, reason in OLD_EVENTS:
        conn.execute(
            text(
                "INSERT INTO order_events (order_id, from_status, to_status, reason) "
                "VALUES (:order_id, :from_status, :to_status, :reason)"
            ),
            {
                "order_id": ORDER,
                "from_status": from_status,
                "to_status": to_status,
                "reason": reason,
            },
        )


def coded_rows(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            text("SELECT reason, reason_coded FROM order_events ORDER BY id")
        ).all()


def test_known_wordings_become_codes_and_unknown_ones_stay_text(migrated_app):
    coded = {reason: value for reason, value in coded_rows(migrated_app)}
    assert coded["Created"] == {"code": "created", "args": {}}
    assert coded["Sent from another tab"] is None
    assert coded[OLD_EVENTS[2][2]] == {
        "code": "not_taken",
        "args": {
            "attempts": 3,
            "error": {"code": "unreachable", "args": {"detail": "Connection refused"}},
        },
    }
    assert coded[OLD_EVENTS[5][2]]["args"]["answer"] == {
        "code": "timed",
        "args": {"answer": {"code": "answered", "args": {"state": "processing"}}, "ms": "12"},
    }
    with migrated_app.app_context():
        order = db.session.execute(
            text("SELECT status_reason_coded, last_check_error_coded FROM orders")
        ).one()
    assert order.status_reason_coded == {"code": "provider_reports", "args": {"state": "DONE"}}
    assert order.last_check_error_coded == {"code": "http_status", "args": {"status": 503}}
    with migrated_app.app_context():
        answers = db.session.execute(
            text("SELECT answer_coded FROM provider_calls ORDER BY id")
        ).scalars()
        assert list(answers) == [{"code": "http_status", "args": {"status": 502}}, None]


def order_page(app, language: str) -> str:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    return client.get(f"/orders/{ORDER}").get_data(as_text=True)


def test_old_rows_read_as_before_in_english(migrated_app):
    page = order_page(migrated_app, "en")
    for _, _, reason in OLD_EVENTS:
        if "re-checked" not in reason:  # an operator's note: not on the customer's page
            # What the customer did, their own page says to them.
            assert reason.replace("by the customer", "by you") in page


def test_old_rows_read_in_russian_and_unknown_ones_as_written(migrated_app):
    page = order_page(migrated_app, "ru")
    assert "Создан" in page
    assert "Отправлен вами в работу" in page
    assert "Сервис заказов не смог принять заказ после 3 попыток" in page
    assert "Не удаётся связаться с сервисом заказов: Connection refused" in page
    assert "Сервис заказов сообщает статус заказа: «DONE»." in page
    assert "Sent from another tab" in page  # legacy text: as written
    assert "Sent to processing by the customer" not in page
