"""Alembic environment of fund-ledger: its own metadata, run by the shared runner."""

from xinyidai_shared.migrations import run_env

from fund_ledger.adapters.tables import metadata

run_env(metadata)
