"""Alembic environment for whitelist: the service's own metadata, run by xinyidai_shared.migrations."""

from xinyidai_shared.migrations import run_env

from whitelist.app import spec

run_env(spec.metadata)
