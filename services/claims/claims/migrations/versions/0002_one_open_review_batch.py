"""one open review batch

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 23:42:53.630108
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_slot', sa.String(length=4), nullable=True))
        batch_op.create_unique_constraint('uq_review_batch_open_slot', ['open_slot'])
    # A batch already open before this migration keeps being the one open batch.
    op.execute("UPDATE review_batch SET open_slot = 'open' WHERE state = 'open'")


def downgrade() -> None:
    with op.batch_alter_table('review_batch', schema=None) as batch_op:
        batch_op.drop_constraint('uq_review_batch_open_slot', type_='unique')
        batch_op.drop_column('open_slot')
