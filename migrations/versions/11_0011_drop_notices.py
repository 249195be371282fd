"""drop the notices for the web processes

The web processes no longer keep logins or orders versions in memory, so nothing listens for
the notices of migration 0010: its triggers and functions go. Every request asks Postgres
(through a connection pooler too, where LISTEN would hear nothing).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 02:00:00

"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

FUNCTIONS = {
    "notice_user_changed": "PERFORM pg_notify('users_changed', OLD.id::text);",
    "notice_login_ended": "PERFORM pg_notify('logins_ended', OLD.token_hash);",
}
TRIGGERS = {"users": "notice_user_changed", "user_sessions": "notice_login_ended"}


def upgrade():
    for table, function in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def downgrade():
    for name, body in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
        )
    for table, function in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {function} AFTER UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
