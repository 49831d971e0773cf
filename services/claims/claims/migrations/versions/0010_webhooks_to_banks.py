"""webhooks to banks: endpoints, the messages banks are told (their feed), deliveries and their tries

Revision ID: 0010
Revises: 0009_standing_consent
Create Date: 2026-12-02 17:59:53.104293
"""
from alembic import op
import sqlalchemy as sa
import xinyidai_shared.db


revision = '0010'
down_revision = '0009_standing_consent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bank_message',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=60), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('bank_message', schema=None) as batch_op:
        batch_op.create_index('ix_bank_message_feed', ['bank_id', 'seq'], unique=False)

    op.create_table('webhook_endpoint',
    sa.Column('endpoint_id', sa.String(length=40), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('event_types', sa.Text(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('previous_secret', sa.String(length=100), nullable=True),
    sa.Column('previous_secret_until', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('endpoint_id')
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoint_bank_id'), ['bank_id'], unique=False)

    op.create_table('webhook_delivery',
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message_seq', sa.BigInteger(), nullable=False),
    sa.Column('endpoint_id', sa.String(length=40), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('retry_until', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_latency_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name='ck_webhook_delivery_status'),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.endpoint_id'], ),
    sa.ForeignKeyConstraint(['message_seq'], ['bank_message.seq'], ),
    sa.PrimaryKeyConstraint('delivery_id'),
    sa.UniqueConstraint('message_seq', 'endpoint_id', name='uq_webhook_delivery_message_endpoint')
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_bank', ['bank_id', 'delivery_id'], unique=False)
        batch_op.create_index('ix_webhook_delivery_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhook_attempt',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.BigInteger(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('response_excerpt', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_delivery.delivery_id'], ),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempt_delivery_id'), ['delivery_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempt_delivery_id'))

    op.drop_table('webhook_attempt')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_due')
        batch_op.drop_index('ix_webhook_delivery_bank')

    op.drop_table('webhook_delivery')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoint_bank_id'))

    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('bank_message', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_message_feed')

    op.drop_table('bank_message')
