"""follow the provider after a cancel

An order cancelled here may still be finished by the provider (it has no cancel call), so the
status sync keeps asking about it until the provider reports it finished, and notes that on
the order's timeline. The sync's index covers the orders it follows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

FOLLOWED = "status = 'in_processing' OR follow_provider"


def upgrade():
    op.add_column(
        'orders',
        sa.Column('follow_provider', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.drop_index('ix_orders_due_for_check', table_name='orders')
    op.create_index(
        'ix_orders_due_for_check', 'orders', ['id', 'next_check_at'],
        postgresql_where=sa.text(FOLLOWED),
    )


def downgrade():
    op.drop_index('ix_orders_due_for_check', table_name='orders')
    op.create_index(
        'ix_orders_due_for_check', 'orders', ['id', 'next_check_at'],
        postgresql_where=sa.text("status = 'in_processing'"),
    )
    op.drop_column('orders', 'follow_provider')
