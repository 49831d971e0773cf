"""Alembic per service. Each service's migrations/env.py calls ``run_env``.

Migrations run under a PostgreSQL advisory lock, so replicas starting together migrate once and the
others find the schema at head. In production they run once, as the schema's owner, by
``python -m <svc> migrate`` (a one-shot container or Job), which then grants the service's own role what
it needs and no more: journal and audit rows can be inserted and read, never updated or deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text

from .db import Database

# pg_advisory_xact_lock key: one per database, so the four services' databases never wait on each other.
MIGRATION_LOCK_KEY = 0x78796400  # "xyd\0"


class SchemaNotAtHead(RuntimeError):
    """The database is behind (or ahead of) the code; `python -m <svc> migrate` has not run."""


def alembic_config(script_location: Path, connection=None) -> Config:  # noqa: ANN001
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade_to_head(db: Database, script_location: Path) -> None:
    """Apply every migration the service has, once even when replicas start together; a no-op when current."""

    def _upgrade(sync_conn) -> None:  # noqa: ANN001
        command.upgrade(alembic_config(script_location, sync_conn), "head")

    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            # Held until this transaction ends: a second replica waits, then finds nothing left to do.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await conn.run_sync(_upgrade)


async def check_at_head(db: Database, script_location: Path, service: str) -> None:
    """Refuse to serve a database the migrations have not brought to the code's head."""

    def _current(sync_conn) -> set[str]:  # noqa: ANN001
        return set(MigrationContext.configure(sync_conn).get_current_heads())

    async with db.engine.connect() as conn:
        current = await conn.run_sync(_current)
    heads = set(ScriptDirectory.from_config(alembic_config(script_location)).get_heads())
    if current != heads:
        raise SchemaNotAtHead(
            f"{service}: the database is at {sorted(current) or 'no revision'}, the code needs {sorted(heads)}; "
            f"run `python -m {service.replace('-', '_')} migrate` first"
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def grant_app_role(db: Database, role: str, append_only: Mapping[str, Sequence[str]]) -> None:
    """Give the service's runtime role reads and writes on every table, except that ``append_only`` tables
    (journal, audit trail) take inserts only, plus updates of the columns listed for each (a pending
    transfer's status); alembic's own table is read-only. PostgreSQL only; run as the schema's owner."""
    if db.is_sqlite:
        return
    who = _quote(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {who}",
    ]
    for table, columns in sorted(append_only.items()):
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {_quote(table)} FROM {who}")
        if columns:
            statements.append(f"GRANT UPDATE ({', '.join(_quote(c) for c in columns)}) ON {_quote(table)} TO {who}")
    async with db.engine.begin() as conn:
        # Two migrate jobs granting at once would collide on the catalog row ("tuple concurrently updated").
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        for statement in statements:
            await conn.execute(text(statement))


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
