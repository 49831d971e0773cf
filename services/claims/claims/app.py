"""The composition root: settings, dependencies, routers and event handlers make the claims service."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from xinyidai_shared.body_limits import RouteLimit
from xinyidai_shared.runtime import Runtime, ServiceSpec
from xinyidai_shared.web import build_app

from claims.adapters.tables import messaging, metadata
from claims.config import Settings
from claims.domain.webhooks import RetryPolicy
from claims.entrypoints import api_banks, api_claims, api_loan_files, api_loans, api_standing, api_stats, api_webhooks
from claims.service_layer import loan_files
from claims.service_layer.bank_messages import with_bank_messages
from claims.service_layer.deps import Deps, deps_from_settings
from claims.service_layer.projections import HANDLERS
from claims.service_layer.webhook_sender import SenderConfig, WebhookSender

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "Banks, products and loans from core systems; eligibility at issuance rule by rule (Measures art.9, 11, 12; "
    "Plan 4.2.5); compensation claims through review, approval and public notice (art.13-17); statistics."
)


# What makes this service claims: its tables, migrations and the events it consumes (plain data).
spec = ServiceSpec(
    name="claims", metadata=metadata, tables=messaging, migrations=MIGRATIONS,
    handlers=with_bank_messages(HANDLERS), consumes=("whitelist", "credit-data", "fund-ledger"),
)


def webhook_sender(settings: Settings) -> WebhookSender:
    """The webhook sender as the settings say (its counters are on ``app.state.webhook_sender``)."""
    retry = RetryPolicy(base=timedelta(seconds=settings.webhook_retry_base_s),
                        cap=timedelta(seconds=settings.webhook_retry_max_s),
                        window=timedelta(seconds=settings.webhook_retry_window_s))
    return WebhookSender(SenderConfig(
        allow_loopback=settings.webhook_allow_loopback, timeout_s=settings.webhook_timeout_s,
        per_endpoint=settings.webhook_per_endpoint, max_in_flight=settings.webhook_max_in_flight,
        poll_s=settings.webhook_poll_interval_s, retry=retry,
    ))


def loan_file_worker(settings: Settings, deps: Deps):  # noqa: ANN201 - a supervised job
    """The worker that runs bulk loan files, one job at a time per replica."""
    config = loan_files.JobConfig(batch_lines=settings.loan_file_batch_lines, poll_s=settings.loan_file_poll_interval_s)

    async def run(runtime: Runtime) -> None:
        await loan_files.worker(runtime, deps, config)

    return run


def create_app(settings: Settings | None = None, *, deps: Deps | None = None) -> FastAPI:
    """Build the claims app; tests pass their own settings and dependencies (a fixed clock)."""
    settings = settings or Settings()
    deps = deps or deps_from_settings(settings)
    sender = webhook_sender(settings)
    running = replace(spec, jobs={**spec.jobs, "webhook-sender": sender.run,
                                  "loan-files": loan_file_worker(settings, deps)})
    app = build_app(running, settings, title="Xinyidai claims", description=DESCRIPTION,
                    routers=[api_banks.router, api_loans.router, api_loan_files.router, api_standing.router,
                             api_claims.router, api_stats.router, api_webhooks.router], prefix="/v1",
                    body_limits=[RouteLimit("POST", "/v1/banks/{bank_id}/status-files", settings.status_file_max_bytes,
                                            "STATUS_FILE_TOO_LARGE"),
                                 RouteLimit("POST", "/v1/loan-files", settings.loan_file_max_bytes, "LOAN_FILE_TOO_LARGE")])
    app.state.deps = deps
    app.state.webhook_sender = sender
    return app
