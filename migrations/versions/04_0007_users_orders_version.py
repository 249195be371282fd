"""users.orders_version, bumped by the database whenever one of the user's orders changes

The dashboard tags its table with this number, so a refresh that finds it unchanged is
answered without reading or rendering a single order. A trigger (not the application) bumps it,
so no writer can forget: inserts, deletes, status changes, the sync's bulk updates. One
statement-level trigger per operation bumps each affected user once per statement, locking
the users' rows in id order so concurrent statements cannot deadlock on them.

Revision ID: 0007
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0002'
branch_labels = None
depends_on = None

BUMP = """
CREATE FUNCTION bump_orders_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM users WHERE id IN (SELECT user_id FROM changed_orders_old)
            ORDER BY id FOR UPDATE;
        UPDATE users SET orders_version = orders_version + 1
            WHERE id IN (SELECT user_id FROM changed_orders_old);
    ELSE
        PERFORM 1 FROM users WHERE id IN (SELECT user_id FROM changed_orders)
            ORDER BY id FOR UPDATE;
        UPDATE users SET orders_version = orders_version + 1
            WHERE id IN (SELECT user_id FROM changed_orders);
    END IF;
    RETURN NULL;
END
$$
"""

TRIGGERS = {
    "INSERT": "NEW TABLE AS changed_orders",
    "UPDATE": "NEW TABLE AS changed_orders",
    "DELETE": "OLD TABLE AS changed_orders_old",
}


def upgrade():
    op.add_column(
        'users',
        sa.Column('orders_version', sa.BigInteger(), server_default='0', nullable=False),
    )
    op.execute(BUMP)
    for operation, table in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER orders_version_{operation.lower()} AFTER {operation} ON orders "
            f"REFERENCING {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_orders_version()"
        )


def downgrade():
    for operation in TRIGGERS:
        op.execute(f"DROP TRIGGER orders_version_{operation.lower()} ON orders")
    op.execute("DROP FUNCTION bump_orders_version()")
    op.drop_column('users', 'orders_version')
