"""Alembic environment for console: the service's own metadata, run by xinyidai_shared.migrations."""

from xinyidai_shared.migrations import run_env

from console.app import spec

run_env(spec.metadata)
