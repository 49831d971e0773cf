"""idempotency keys scoped by route; per-row request hashes dropped (xinyidai_shared.idempotency)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:00:00
"""
from alembic import op
import sqlalchemy as sa
from xinyidai_shared.migrations import scope_idempotency_keys_by_route, unscope_idempotency_keys

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    scope_idempotency_keys_by_route(op)
    # Replays are answered from the idempotency table now: the per-row request hashes are gone.
    for table in ("loan", "claim", "recovery", "interest_income"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("request_hash")


def downgrade() -> None:
    for table in ("loan", "claim", "recovery", "interest_income"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("request_hash", sa.String(length=64), nullable=False, server_default=""))
    unscope_idempotency_keys(op)
