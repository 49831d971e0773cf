"""idempotency keys scoped by route (xinyidai_shared.idempotency)

Revision ID: 8c4f2a7e1d93
Revises: 5b1e7c0d9a21
Create Date: 2026-12-02 16:00:00
"""
from alembic import op

from xinyidai_shared.migrations import scope_idempotency_keys_by_route, unscope_idempotency_keys

revision = '8c4f2a7e1d93'
down_revision = '5b1e7c0d9a21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    scope_idempotency_keys_by_route(op)


def downgrade() -> None:
    unscope_idempotency_keys(op)
