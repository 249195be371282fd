"""users.time_zone: the zone the customer's browser reported; orders.after_cancel_acknowledged_at:
when an operator acknowledged a provider that finished an order after a cancel here

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))
    op.add_column(
        'orders',
        sa.Column('after_cancel_acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    )


def downgrade():
    op.drop_column('orders', 'after_cancel_acknowledged_at')
    op.drop_column('users', 'time_zone')
