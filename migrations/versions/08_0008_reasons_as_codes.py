"""Reasons as codes with parameters, so each reader sees them in their own language

Adds `order_events.reason_coded`, `orders.status_reason_coded`,
`orders.last_check_error_coded` and `provider_calls.answer_coded` (JSONB: {"code": ..., "args": {...}}, see
app/reasons.py), and fills them for the rows written before, by matching the English
wordings the application has written over time. Rows that match none keep only their text,
which is shown as it was written.

The wordings are copied here rather than imported, so this migration keeps reading the old
rows whatever the application's code becomes.

Revision ID: 0008
Revises: 0006
"""
import json
import re

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None

COLUMNS = (
    ('order_events', 'reason', 'reason_coded'),
    ('orders', 'status_reason', 'status_reason_coded'),
    ('orders', 'last_check_error', 'last_check_error_coded'),
    ('provider_calls', 'answer', 'answer_coded'),
)

# What the order service answered, or why it did not: nested in the reasons below, and the
# orders' last failed status checks.
ERRORS = (
    (r"Cannot reach the order service: (?P<detail>.*)", "unreachable"),
    (r"The order service did not answer in time\.", "timeout"),
    (r"Request to the order service failed: (?P<detail>.*)", "request_failed"),
    (r"The order service answered HTTP (?P<status>\d+)\.", "http_status"),
    (r"The order service answered without a (?P<field>\w+)\.", "missing_field"),
    (r"The order service answered with an invalid uuid\.", "invalid_uuid"),
    (r"The order service does not know order (?P<external_uuid>.*)\.", "unknown_order"),
    (r"The order service refused the order \(HTTP (?P<status>\d+)\)\.", "refused_http"),
    (r"The order has no external uuid\.", "no_external_uuid"),
)

DELAY = r"(?P<delay_seconds>\d+ (?:s|min))"
REASONS = (
    (r"Created", "created"),
    (r"Sent to processing by the customer", "sent_by_customer"),
    (r"Cancelled by the customer", "cancelled_by_customer"),
    (r"Registered at the order service", "registered"),
    (r"The order service reports the order (?P<state>.*)\.", "provider_reports"),
    (r"The provider finished this order after it was cancelled here\.", "done_after_cancel"),
    (r"The provider reports this order cancelled as well\.", "cancelled_after_cancel"),
    (
        r"The provider reports this order failed after it was cancelled here\.",
        "failed_after_cancel",
    ),
    (
        r"The order service could not be reached after (?P<attempts>\d+) tries?: (?P<error>.*) "
        r"Nothing was registered\.",
        "not_reached",
    ),
    (
        r"The order service could not take the order after (?P<attempts>\d+) tries?: "
        r"(?P<error>.*)",
        "not_taken",
    ),
    (r"The order service rejected the order: (?P<error>.*)", "rejected"),
    (r"The order service refused a repeated request: (?P<error>.*)", "repeat_refused"),
    (
        r"The provider has not confirmed this order yet; we keep asking with the same request "
        r"\(next try in " + DELAY + r"\)\. Last answer: (?P<error>.*)",
        "unconfirmed_retrying",
    ),
    (r"Not registered yet\. Retrying in " + DELAY + r": (?P<error>.*)", "retrying"),
    (
        r"Confirmed with the provider by an operator: registered as (?P<external_uuid>.*)",
        "confirmed_registered",
    ),
    (
        r"The provider confirmed to an operator that it has no such order; send it again\.",
        "confirmed_not_registered",
    ),
    (r"Registered at the order service \(confirmed by our staff\)", "found_at_provider"),
    (
        r"The order service did not register this order\. You can send it again\.",
        "not_at_provider",
    ),
    (r"Send retried now by an operator", "send_retried"),
    (r"Status re-checked by an operator: (?P<answer>.*)", "rechecked"),
    (r"Send resolved by an operator: (?P<note>.*)", "send_resolved"),
)

ANSWERS = (
    (r"(?P<answer>.*) \((?P<ms>\d+) ms\)", "timed"),
    (r"the order service answered “(?P<state>.*)”", "answered"),
)


def match(text, patterns):
    """The code and parameters of the first pattern that `text` matches whole, or None."""
    for pattern, code in patterns:
        found = re.fullmatch(pattern, text, re.DOTALL)
        if found:
            args = {name: parameter(name, value) for name, value in found.groupdict().items()}
            return {"code": code, "args": args}
    return None


def parameter(name, value):
    """One matched parameter: numbers as numbers, nested errors and answers as codes."""
    if name in ("attempts", "status"):
        return int(value)
    if name == "delay_seconds":
        number, unit = value.split()
        return int(number) * (60 if unit == "min" else 1)
    if name == "error":
        return match(value, ERRORS) or value
    if name == "answer":
        return match(value, ANSWERS) or match(value, ERRORS) or value
    return value


def coded(text, column):
    patterns = REASONS if column in ("reason", "status_reason") else ERRORS
    return match(text, patterns)


def fill(connection, table, text_column, coded_column):
    """Code every distinct old text that matches a known wording, one UPDATE per text."""
    texts = connection.execute(
        sa.text(
            f"SELECT DISTINCT {text_column} FROM {table} "
            f"WHERE {text_column} IS NOT NULL AND {coded_column} IS NULL"
        )
    ).scalars()
    update = sa.text(
        f"UPDATE {table} SET {coded_column} = CAST(:coded AS jsonb) "
        f"WHERE {text_column} = :text AND {coded_column} IS NULL"
    )
    for text in list(texts):
        found = coded(text, text_column)
        if found is not None:
            connection.execute(update, {"coded": json.dumps(found), "text": text})


def upgrade():
    for table, _, coded_column in COLUMNS:
        op.add_column(table, sa.Column(coded_column, JSONB(), nullable=True))
    connection = op.get_bind()
    for table, text_column, coded_column in COLUMNS:
        fill(connection, table, text_column, coded_column)


def downgrade():
    for table, _, coded_column in COLUMNS:
        op.drop_column(table, coded_column)
