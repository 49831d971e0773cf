"""bank alert feed and alert webhooks moved to claims (one way to tell a bank: its message feed and webhooks)

Revision ID: 2f056c11c407
Revises: 7e3b9c41d2a5
Create Date: 2026-12-02 18:11:39.503361
"""
from alembic import op
import sqlalchemy as sa
import xinyidai_shared.db


revision = '2f056c11c407'
down_revision = '7e3b9c41d2a5'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.drop_table('bank_alert')
    op.drop_table('webhook_subscription')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_due'))
    op.drop_table('webhook_delivery')


def downgrade() -> None:
    op.create_table('webhook_delivery',
    sa.Column('id', SEQ, autoincrement=True, nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('alert_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_delivery_due'), ['status', 'next_attempt_at'], unique=False)
    op.create_table('webhook_subscription',
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('updated_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('bank_id')
    )
    op.create_table('bank_alert',
    sa.Column('seq', SEQ, autoincrement=True, nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('alert_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('bank_id', 'alert_id', name=op.f('uq_bank_alert'))
    )
