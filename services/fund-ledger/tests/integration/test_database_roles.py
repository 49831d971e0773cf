"""On PostgreSQL the service runs as a role that cannot rewrite the journal or the audit trail; migrations run
once, as the owner."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from psycopg import errors

from fund_ledger.app import create_app, spec
from fund_ledger.config import Settings
from xinyidai_shared.migrations import SchemaNotAtHead
from xinyidai_shared.runtime import migrate
from xinyidai_shared.testing import TEST_SECRET, PostgresServer, app_client, auth

pytestmark = pytest.mark.asyncio


def _roles(server: PostgresServer) -> tuple[str, str, str]:
    """A fresh database owned by a migration role, and an application role that may only connect."""
    suffix = uuid.uuid4().hex[:8]
    owner, app_role = f"fl_owner_{suffix}", f"fl_app_{suffix}"
    url = server.create_database()
    database = url.rsplit("/", 1)[1]
    with psycopg.connect(server.admin_dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN")
        conn.execute(f"CREATE ROLE {app_role} LOGIN")
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO {owner}')
    return url.replace("postgres@", f"{app_role}@"), owner, app_role


def _as(server: PostgresServer, url: str, user: str) -> psycopg.Connection:
    database = url.rsplit("/", 1)[1]
    return psycopg.connect(f"postgresql://{user}@127.0.0.1:{server.port}/{database}", autocommit=True)


async def test_the_application_role_cannot_update_or_delete_journal_or_audit_rows(pg_server: PostgresServer) -> None:
    url, owner, app_role = _roles(pg_server)
    settings = Settings(database_url=url, auth_secret=TEST_SECRET, log_json=False, migrate_on_start=False,
                        migration_database_user=owner, database_app_role=app_role)
    with pytest.raises(SchemaNotAtHead, match="python -m fund_ledger migrate"):
        async with app_client(create_app(settings)):
            pass  # a production replica does not migrate: it refuses a database that `migrate` has not prepared
    # Two replicas' migrate jobs at once: the advisory lock makes one wait, then it finds the schema at head.
    await asyncio.gather(migrate(spec, settings), migrate(spec, settings))
    async with app_client(create_app(settings)) as client:  # the service itself runs as the application role
        declared = await client.post("/v1/deposits/initial-capital", json={"reference": "cap-roles", "amount": "1000.00"},
                                     headers=auth("finance_bureau", "czj", subject="czj-wang"))
        assert declared.status_code == 201, declared.text
        tid = declared.json()["id"]
        confirmed = await client.post(f"/v1/transfers/{tid}/confirmation", json={}, headers=auth("finance_bureau", "czj", subject="czj-li"))
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "posted"  # the decision columns stay writable
    with _as(pg_server, url, app_role) as conn:
        assert conn.execute("SELECT amount_fen FROM transfer WHERE id = %s", (tid,)).fetchone() == (100_000,)
        assert conn.execute("SELECT count(*) FROM audit_trail").fetchone() == (2,)
        for statement in ("UPDATE transfer SET amount_fen = 1",
                          "UPDATE transfer SET credit_account = 'x'",
                          "DELETE FROM transfer",
                          "TRUNCATE transfer",
                          "UPDATE audit_trail SET subject = 'someone-else'",
                          "DELETE FROM audit_trail",
                          "TRUNCATE audit_trail",
                          "DELETE FROM alembic_version",
                          "CREATE TABLE sneaky (id int)"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("SELECT amount_fen FROM transfer WHERE id = %s", (tid,)).fetchone() == (100_000,)
    with _as(pg_server, url, owner) as conn:  # the owner (migrations) keeps full rights
        assert conn.execute("SELECT count(*) FROM transfer").fetchone() == (1,)
