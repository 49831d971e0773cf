"""audit trail: who did what (every write by a person or a client), append-only

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:08:14.834013
"""
from alembic import op
import sqlalchemy as sa
import xinyidai_shared.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_trail',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('org_id', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('route', sa.String(length=300), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('object_ids', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('correlation_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.create_index('ix_audit_trail_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_trail_org', ['org_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_trail_subject', ['subject', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audit_trail', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_trail_subject')
        batch_op.drop_index('ix_audit_trail_org')
        batch_op.drop_index('ix_audit_trail_at')

    op.drop_table('audit_trail')
