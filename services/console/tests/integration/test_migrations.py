"""The console's migrations build exactly the tables its code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from console.app import spec
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import schema_drift, upgrade_to_head


async def test_migrations_match_the_tables(db_url: str) -> None:
    db = Database(db_url)
    try:
        await upgrade_to_head(db, spec.migrations)
        assert await schema_drift(db, spec.metadata) == []
    finally:
        await db.dispose()
