"""Composition root: the service spec (module level, nothing connects at import) and the FastAPI app."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from xinyidai_shared.runtime import ServiceSpec
from xinyidai_shared.web import build_app

from .adapters.tables import messaging, metadata
from .config import Settings
from .entrypoints import api, api_money, audit_api
from .entrypoints.consumers import CONSUMES, group_handlers_for, handlers_for
from .service_layer.rules import LedgerRules

MIGRATIONS = Path(__file__).parent / "migrations"

# The handlers depend on the configured policy rules, so create_app binds them; this module-level spec
# (tables, migrations) is what the migration tool reads.
# The journal: a transfer is never rewritten or removed; only a pending one is posted or voided, once, by
# the second officer who decides it.
APPEND_ONLY = {"transfer": ("status", "posted_at", "voided_at", "decided_by", "decision_note")}
spec = ServiceSpec(name="fund-ledger", metadata=metadata, tables=messaging, migrations=MIGRATIONS, consumes=CONSUMES,
                   append_only=APPEND_ONLY)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the fund-ledger app; settings are read from FUND_LEDGER_* when not given."""
    settings = settings or Settings()
    rules = LedgerRules.from_settings(settings)
    bound = replace(spec, handlers=handlers_for(rules), group_handlers=group_handlers_for(rules))
    return build_app(
        bound, settings, title="Xinyidai fund-ledger",
        description="The risk-mitigation fund's double-entry books (Measures art.7, 12, 15, 18, 19).",
        routers=[api_money.router, api.router, audit_api.router],
    )
