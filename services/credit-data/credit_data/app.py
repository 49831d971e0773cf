"""Composition root: the service spec (tables, migrations, handlers, loops) and ``create_app``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from xinyidai_shared.runtime import ServiceSpec
from xinyidai_shared.body_limits import RouteLimit
from xinyidai_shared.web import build_app

from .adapters.tables import messaging, metadata
from .config import Settings
from .entrypoints import (
    api_alerts, api_default_reports, api_dishonesty, api_enterprise, api_feeds, api_letters, api_ratings, api_reports,
)
from .entrypoints.consumers import HANDLERS
from .entrypoints.workers import authorisation_announcer, daily_rules, job_worker

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "Public credit data from utilities and departments, explained ratings (scorecard), credit reports, "
    "the dishonesty list and risk alerts for lending banks."
)


# What makes this service credit-data, for the shared runtime (plain data; nothing connects here).
spec = ServiceSpec(
    name="credit-data",
    metadata=metadata,
    tables=messaging,
    migrations=MIGRATIONS,
    handlers=HANDLERS,
    consumes=("claims",),
    jobs={"job-worker": job_worker, "daily-rules": daily_rules, "authorisation-announcer": authorisation_announcer},
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the credit-data app; settings come from CREDIT_DATA_* variables unless given."""
    settings = settings or Settings()
    routers = [
        api_feeds.router, api_ratings.router, api_reports.router, api_enterprise.router,
        api_dishonesty.router, api_default_reports.router, api_alerts.router, api_letters.router,
    ]  # fmt: skip
    # Feed files stream to disk and letters are PDFs: their own limits; every JSON body keeps 1 MB.
    limits = [
        RouteLimit("POST", "/v1/feeds/files", settings.upload_max_bytes, "UPLOAD_TOO_LARGE"),
        RouteLimit("POST", "/v1/enterprises/{uscc}/commitment-letters", settings.letter_max_bytes, "LETTER_TOO_LARGE"),
    ]
    return build_app(spec, settings, title="Xinyidai credit-data", routers=routers, description=DESCRIPTION,
                     body_limits=limits)
