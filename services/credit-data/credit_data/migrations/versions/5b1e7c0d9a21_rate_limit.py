"""rate-limit counters shared by every process of the service

Revision ID: 5b1e7c0d9a21
Revises: 3da88430f0cb
Create Date: 2026-12-02 15:30:00
"""
from alembic import op
import sqlalchemy as sa

from xinyidai_shared.db import UtcDateTime

revision = '5b1e7c0d9a21'
down_revision = '3da88430f0cb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_limit',
        sa.Column('bucket', sa.String(length=250), nullable=False),
        sa.Column('window_no', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', 'window_no'),
    )
    op.create_index('ix_rate_limit_expires', 'rate_limit', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_rate_limit_expires', table_name='rate_limit')
    op.drop_table('rate_limit')
