"""one way to follow a cancelled order: the status sync's

The status sync already follows an order cancelled here (`follow_provider`) and notes on its
timeline what the provider did; it now also keeps that final state for the operators'
console, so the separate five-minute asking and its due time go.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # An order still waiting for the old asking is followed by the sync instead.
    op.execute(
        "UPDATE orders SET follow_provider = true "
        "WHERE status = 'cancelled' AND after_cancel_check_at IS NOT NULL"
    )
    op.drop_index('ix_orders_after_cancel_due', table_name='orders')
    op.drop_column('orders', 'after_cancel_check_at')


def downgrade():
    op.add_column('orders', sa.Column('after_cancel_check_at', sa.DateTime(timezone=True)))
    op.create_index(
        'ix_orders_after_cancel_due', 'orders', ['after_cancel_check_at'],
        postgresql_where=sa.text("status = 'cancelled' AND after_cancel_check_at IS NOT NULL"),
    )
