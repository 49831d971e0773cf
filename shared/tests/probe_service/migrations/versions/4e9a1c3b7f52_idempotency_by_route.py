"""idempotency keys scoped by route (xinyidai_shared.idempotency)

Revision ID: 4e9a1c3b7f52
Revises: 7d2c4e1f8b30
Create Date: 2026-12-02 16:00:00
"""
from alembic import op

from xinyidai_shared.migrations import scope_idempotency_keys_by_route, unscope_idempotency_keys

revision = '4e9a1c3b7f52'
down_revision = '7d2c4e1f8b30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    scope_idempotency_keys_by_route(op)


def downgrade() -> None:
    unscope_idempotency_keys(op)
