"""idempotency keys scoped by route (xinyidai_shared.idempotency)

Revision ID: 0006
Revises: 0005_calendar_announced
Create Date: 2026-12-02 16:00:00
"""
from alembic import op

from xinyidai_shared.migrations import scope_idempotency_keys_by_route, unscope_idempotency_keys

revision = '0006'
down_revision = '0005_calendar_announced'
branch_labels = None
depends_on = None


def upgrade() -> None:
    scope_idempotency_keys_by_route(op)


def downgrade() -> None:
    unscope_idempotency_keys(op)
