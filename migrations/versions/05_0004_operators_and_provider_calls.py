"""operators, who did what on the timeline, provider calls, following cancelled orders

Revision ID: 0004
Revises: 0007
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('is_operator', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('order_events', sa.Column('actor_id', sa.Integer(), nullable=True))
    op.create_foreign_key('fk_order_events_actor', 'order_events', 'users', ['actor_id'], ['id'], ondelete='SET NULL')
    op.add_column('orders', sa.Column('after_cancel_check_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('orders', sa.Column('after_cancel_state', sa.String(length=20), nullable=True))
    op.create_index('ix_orders_after_cancel_due', 'orders', ['after_cancel_check_at'], unique=False,
                    postgresql_where=sa.text("status = 'cancelled' AND after_cancel_check_at IS NOT NULL"))
    op.create_index('ix_orders_check_failures', 'orders', ['check_failures'], unique=False,
                    postgresql_where=sa.text("status = 'in_processing' AND check_failures > 0"))
    op.create_table('provider_calls',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_provider_calls_order', 'provider_calls', ['order_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_provider_calls_order', table_name='provider_calls')
    op.drop_table('provider_calls')
    op.drop_index('ix_orders_check_failures', table_name='orders', postgresql_where=sa.text("status = 'in_processing' AND check_failures > 0"))
    op.drop_index('ix_orders_after_cancel_due', table_name='orders', postgresql_where=sa.text("status = 'cancelled' AND after_cancel_check_at IS NOT NULL"))
    op.drop_column('orders', 'after_cancel_state')
    op.drop_column('orders', 'after_cancel_check_at')
    op.drop_constraint('fk_order_events_actor', 'order_events', type_='foreignkey')
    op.drop_column('order_events', 'actor_id')
    op.drop_column('users', 'is_operator')
