"""notices for the web processes: a user or a login changed

Each web process keeps in memory what answers a dashboard refresh that finds nothing changed
(app/orders/known_logins.py): whose a login is, the user's orders version and language. These
triggers tell it, through LISTEN/NOTIFY, when to forget: any change to a user's row (the orders
version is bumped there) and any login that ends. A notice is sent only if its transaction
commits, and only to the database's own listeners.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 03:00:00

"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FUNCTIONS = {
    "notice_user_changed": "PERFORM pg_notify('users_changed', OLD.id::text);",
    "notice_login_ended": "PERFORM pg_notify('logins_ended', OLD.token_hash);",
}
TRIGGERS = {"users": "notice_user_changed", "user_sessions": "notice_login_ended"}


def upgrade():
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


def downgrade():
    for table, function in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {function} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
