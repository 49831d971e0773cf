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
