"""The Alembic migration creates exactly the tables the code declares (no drift), on SQLite and PostgreSQL."""

import pytest
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import schema_drift, upgrade_to_head

from fund_ledger.adapters.tables import metadata
from fund_ledger.app import MIGRATIONS

pytestmark = pytest.mark.asyncio


async def test_migrated_schema_matches_table_metadata(db_url):
    db = Database(db_url)
    try:
        await upgrade_to_head(db, MIGRATIONS)
        await upgrade_to_head(db, MIGRATIONS)  # a second start is a no-op
        assert await schema_drift(db, metadata) == []
    finally:
        await db.dispose()
