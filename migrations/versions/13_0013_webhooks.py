"""webhooks: endpoints, the outbox of events, delivery attempts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 07:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'webhook_endpoints',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('event_types', postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column('secret', sa.String(100), nullable=False),
        sa.Column('previous_secret', sa.String(100)),
        sa.Column('previous_secret_until', sa.DateTime(timezone=True)),
        sa.Column('enabled', sa.Boolean(), server_default=sa.text('true'), nullable=False),
        sa.Column('disabled_reason', sa.String(20)),
        sa.Column('disabled_error', sa.Text()),
        sa.Column('disabled_at', sa.DateTime(timezone=True)),
        sa.Column('failing_since', sa.DateTime(timezone=True)),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index('ix_webhook_endpoints_user_id', 'webhook_endpoints', ['user_id'])
    op.execute("CREATE SEQUENCE webhook_event_sequence")
    op.create_table(
        'webhook_events',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('sequence', sa.BigInteger(), server_default=sa.text("nextval('webhook_event_sequence')"), nullable=False),
        sa.Column('endpoint_id', sa.Uuid(), sa.ForeignKey('webhook_endpoints.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('event_type', sa.String(40), nullable=False),
        sa.Column('order_id', sa.Uuid()),
        sa.Column('payload', postgresql.JSONB(), nullable=False),
        sa.Column('state', sa.String(12), server_default='pending', nullable=False),
        sa.Column('attempts', sa.SmallInteger(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column('claimed_until', sa.DateTime(timezone=True)),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True)),
    )
    op.create_index('ix_webhook_events_endpoint', 'webhook_events', ['endpoint_id', 'created_at'])
    op.create_index(
        'ix_webhook_events_due', 'webhook_events', ['next_attempt_at'],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('event_id', sa.Uuid(), sa.ForeignKey('webhook_events.id', ondelete='CASCADE'), nullable=False),
        sa.Column('endpoint_id', sa.Uuid(), sa.ForeignKey('webhook_endpoints.id', ondelete='CASCADE'), nullable=False),
        sa.Column('attempted_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('outcome', sa.String(20), nullable=False),
        sa.Column('status_code', sa.Integer()),
        sa.Column('latency_ms', sa.Integer()),
        sa.Column('response_start', sa.Text()),
        sa.Column('error', sa.Text()),
    )
    op.create_index('ix_webhook_attempts_event_id', 'webhook_attempts', ['event_id'])
    op.create_index('ix_webhook_attempts_endpoint', 'webhook_attempts', ['endpoint_id', 'attempted_at'])


def downgrade():
    op.drop_table('webhook_attempts')
    op.drop_table('webhook_events')
    op.execute("DROP SEQUENCE webhook_event_sequence")
    op.drop_table('webhook_endpoints')
