"""Alembic environment of claims: its own metadata, run by the shared runner."""

from xinyidai_shared.migrations import run_env

from claims.adapters.tables import metadata

run_env(metadata)
