"""The composition root: settings, dependencies, routers and event handlers make the claims service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from xinyidai_shared.body_limits import RouteLimit
from xinyidai_shared.runtime import ServiceSpec
from xinyidai_shared.web import build_app

from claims.adapters.tables import messaging, metadata
from claims.config import Settings
from claims.entrypoints import api_banks, api_claims, api_loans, api_standing, api_stats
from claims.service_layer.deps import Deps, deps_from_settings
from claims.service_layer.projections import HANDLERS

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "Banks, products and loans from core systems; eligibility at issuance rule by rule (Measures art.9, 11, 12; "
    "Plan 4.2.5); compensation claims through review, approval and public notice (art.13-17); statistics."
)


# What makes this service claims: its tables, migrations and the events it consumes (plain data).
spec = ServiceSpec(
    name="claims", metadata=metadata, tables=messaging, migrations=MIGRATIONS,
    handlers=HANDLERS, consumes=("whitelist", "credit-data", "fund-ledger"),
)


def create_app(settings: Settings | None = None, *, deps: Deps | None = None) -> FastAPI:
    """Build the claims app; tests pass their own settings and dependencies (a fixed clock)."""
    settings = settings or Settings()
    deps = deps or deps_from_settings(settings)
    app = build_app(spec, settings, title="Xinyidai claims", description=DESCRIPTION,
                    routers=[api_banks.router, api_loans.router, api_standing.router, api_claims.router, api_stats.router], prefix="/v1",
                    body_limits=[RouteLimit("POST", "/v1/banks/{bank_id}/status-files", settings.status_file_max_bytes,
                                            "STATUS_FILE_TOO_LARGE")])
    app.state.deps = deps
    return app
