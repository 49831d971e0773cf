"""Alembic environment for credit-data: the service's own metadata, run by xinyidai_shared.migrations."""

from xinyidai_shared.migrations import run_env

from credit_data.adapters.tables import metadata

run_env(metadata)
