"""Alembic environment for probe: the service's own metadata, run by xinyidai_shared.migrations."""

from xinyidai_shared.migrations import run_env

from probe_service.app import spec

run_env(spec.metadata)
