"""Alembic per service, applied at start. Each service's migrations/env.py calls ``run_env``."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.autogenerate import compare_metadata
from sqlalchemy import MetaData

from .db import Database


def alembic_config(script_location: Path, connection=None) -> Config:  # noqa: ANN001
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade_to_head(db: Database, script_location: Path) -> None:
    """Apply every migration the service has; a no-op when the database is current."""

    def _upgrade(sync_conn) -> None:  # noqa: ANN001
        command.upgrade(alembic_config(script_location, sync_conn), "head")

    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def schema_drift(db: Database, metadata: MetaData) -> list:
    """Differences between the migrated database and the service's table metadata (empty when none)."""

    def _compare(sync_conn) -> list:  # noqa: ANN001
        return compare_metadata(MigrationContext.configure(sync_conn, opts={"compare_type": False}), metadata)

    async with db.engine.connect() as conn:
        return await conn.run_sync(_compare)


def run_env(metadata: MetaData) -> None:
    """Body of a service's ``migrations/env.py``: online with the connection we pass, or a URL (CLI)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from sqlalchemy import create_engine  # the autogenerate CLI path runs sync, on a scratch database

    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


def scope_idempotency_keys_by_route(op) -> None:  # noqa: ANN001 - alembic's operations proxy
    """Migration step (every service, once): idempotency keys gain the route they were used on.

    Keys stored before are dropped with the table: their fingerprints were computed another way and would
    refuse an honest replay. Frozen: migrations call it; a later change of the table is a new step.
    """
    import sqlalchemy as sa

    from .db import UtcDateTime

    op.drop_table("idempotency_key")
    op.create_table(
        "idempotency_key",
        sa.Column("org_id", sa.String(length=100), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "route", "key"),
    )


def unscope_idempotency_keys(op) -> None:  # noqa: ANN001 - alembic's operations proxy
    """The downgrade of ``scope_idempotency_keys_by_route``: the table as it was (stored keys dropped)."""
    import sqlalchemy as sa

    from .db import UtcDateTime

    op.drop_table("idempotency_key")
    op.create_table(
        "idempotency_key",
        sa.Column("org_id", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "key"),
    )
