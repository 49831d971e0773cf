"""bulk loan files from core systems: jobs, their file in chunks, one result per line

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:38:18.576452
"""
from alembic import op
import sqlalchemy as sa
import xinyidai_shared.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('loan_file',
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('encoding', sa.String(length=10), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('lines_total', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('lines_done', sa.Integer(), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('created_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('started_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', xinyidai_shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name='ck_loan_file_status'),
    sa.PrimaryKeyConstraint('job_id')
    )
    with op.batch_alter_table('loan_file', schema=None) as batch_op:
        batch_op.create_index('ix_loan_file_bank', ['bank_id', 'created_at'], unique=False)
        batch_op.create_index('ix_loan_file_status', ['status', 'created_at'], unique=False)

    op.create_table('loan_file_chunk',
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['loan_file.job_id'], ),
    sa.PrimaryKeyConstraint('job_id', 'no')
    )
    op.create_table('loan_file_result',
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('line', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('bank_loan_no', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('loan_id', sa.String(length=40), nullable=True),
    sa.Column('covered', sa.Boolean(), nullable=True),
    sa.Column('code', sa.String(length=60), nullable=True),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IN ('registered', 'unchanged', 'refused')", name='ck_loan_file_result_outcome'),
    sa.ForeignKeyConstraint(['job_id'], ['loan_file.job_id'], ),
    sa.PrimaryKeyConstraint('job_id', 'line')
    )


def downgrade() -> None:
    op.drop_table('loan_file_result')
    op.drop_table('loan_file_chunk')
    with op.batch_alter_table('loan_file', schema=None) as batch_op:
        batch_op.drop_index('ix_loan_file_status')
        batch_op.drop_index('ix_loan_file_bank')

    op.drop_table('loan_file')
