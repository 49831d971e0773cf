"""authorisations announced to claims by the service

Revision ID: 7e3b9c41d2a5
Revises: a264d1a3d8da
Create Date: 2026-12-02 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7e3b9c41d2a5'
down_revision = 'a264d1a3d8da'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every authorisation given so far starts unannounced: the service publishes the usable ones once at start,
    # signed like any event (a migration cannot sign), so claims accepts them as credit-data does.
    with op.batch_alter_table('report_authorisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('report_authorisation', schema=None) as batch_op:
        batch_op.drop_column('announced')
