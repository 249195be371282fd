"""orders: content revision, unknown send outcome, needs attention

Revision ID: 0002
Revises: 0003
Create Date: 2026-11-28 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('send_unknown_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('needs_attention_since', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('needs_attention_since')
        batch_op.drop_column('send_unknown_since')
        batch_op.drop_column('revision')
