"""announce the working-day overrides officers entered before claims read the calendar from whitelist

Revision ID: 0005_calendar_announced
Revises: 0004_applicants_exceptions
Create Date: 2026-12-02 16:00:00

Events must now be signed as they enter the outbox, which a migration cannot do: the announcement moved
to the service (overrides carry ``announced``, revision 0008, and the service publishes the rest at start).
"""

revision = '0005_calendar_announced'
down_revision = '0004_applicants_exceptions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
