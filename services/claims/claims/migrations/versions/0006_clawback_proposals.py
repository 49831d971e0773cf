"""clawbacks proposed by one finance-bureau officer and confirmed by another

Revision ID: 0006
Revises: 0005_standing_rules
Create Date: 2026-12-02 18:00:00
"""
from alembic import op
import sqlalchemy as sa

from xinyidai_shared.db import UtcDateTime

revision = '0006'
down_revision = '0005_standing_rules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'clawback_proposal',
        sa.Column('proposal_id', sa.String(length=40), nullable=False),
        sa.Column('bank_id', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by', sa.String(length=200), nullable=False),
        sa.Column('proposed_at', UtcDateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by', sa.String(length=200), nullable=True),
        sa.Column('decided_at', UtcDateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('proposed', 'ordered', 'rejected')", name='ck_clawback_proposal_status'),
        sa.ForeignKeyConstraint(['bank_id'], ['bank.bank_id']),
        sa.PrimaryKeyConstraint('proposal_id'),
    )
    op.create_index('ix_clawback_proposal_bank_id', 'clawback_proposal', ['bank_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_clawback_proposal_bank_id', table_name='clawback_proposal')
    op.drop_table('clawback_proposal')
