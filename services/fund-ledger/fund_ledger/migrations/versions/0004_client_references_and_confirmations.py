"""client references apart from transfer ids; declarations and reversals confirmed by a second person

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 17:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# SQLite keeps the old unique constraint on `reverses` unnamed; batch mode names it by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    unnamed = "transfer_reverses_key" if op.get_bind().dialect.name == "postgresql" else "uq_transfer_reverses"
    with op.batch_alter_table('transfer', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(unnamed, type_='unique')
        batch_op.add_column(sa.Column('client_party', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('client_ref', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('declared_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=True))
        batch_op.create_unique_constraint('uq_transfer_client_ref', ['client_party', 'client_ref'])
        batch_op.create_index('ix_transfer_reverses', ['reverses'], unique=False)
        batch_op.create_index('ix_transfer_due', ['due_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index('ix_transfer_due')
        batch_op.drop_index('ix_transfer_reverses')
        batch_op.drop_constraint('uq_transfer_client_ref', type_='unique')
        for column in ('decision_note', 'decided_by', 'declared_by', 'client_ref', 'client_party'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint('uq_transfer_reverses', ['reverses'])
