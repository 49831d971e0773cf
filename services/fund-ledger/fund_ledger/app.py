"""Composition root: the service spec (module level, nothing connects at import) and the FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from xinyidai_shared.runtime import ServiceSpec
from xinyidai_shared.web import build_app

from .adapters.tables import messaging, metadata
from .config import Settings
from .entrypoints import api, audit_api
from .entrypoints.batch_consumer import run_consumer
from .entrypoints.consumers import CONSUMES

MIGRATIONS = Path(__file__).parent / "migrations"

# No handlers for the runtime's own consumer: fund-ledger runs the shared runner with group commit for
# bursts of ClaimApproved as a supervised job (entrypoints/batch_consumer.py; the handler map is
# entrypoints/consumers.handlers_for, bound to the configured rules when the job starts).
spec = ServiceSpec(
    name="fund-ledger",
    metadata=metadata,
    tables=messaging,
    migrations=MIGRATIONS,
    handlers={},
    consumes=CONSUMES,
    jobs={"consumer": run_consumer},
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the fund-ledger app; settings are read from FUND_LEDGER_* when not given."""
    return build_app(
        spec, settings or Settings(), title="Xinyidai fund-ledger",
        description="The risk-mitigation fund's double-entry books (Measures art.7, 12, 15, 18, 19).",
        routers=[api.router, audit_api.router],
    )
