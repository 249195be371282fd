"""users.locale: the language a customer chose

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column('users', 'locale')
