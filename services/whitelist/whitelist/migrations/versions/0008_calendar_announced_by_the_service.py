"""working-day overrides announced by the service (signed), not by a migration

Revision ID: 0008_calendar_announced
Revises: 0007_audit_trail
Create Date: 2026-12-02 18:01:06
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_calendar_announced'
down_revision = '0007_audit_trail'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every override starts unannounced: the service publishes each once at start, signed like any event.
    with op.batch_alter_table('calendar_override', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced', sa.Boolean(), nullable=False, server_default=sa.false()))
    # The unsigned announcements an earlier revision 0005 wrote would be refused by claims: drop those not yet
    # sent (the service announces every override again, and claims keeps the newest declaration per day).
    op.execute("DELETE FROM outbox WHERE type = 'WorkingCalendarChanged' AND sent_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('calendar_override', schema=None) as batch_op:
        batch_op.drop_column('announced')
