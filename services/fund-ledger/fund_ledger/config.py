"""fund-ledger settings (env prefix FUND_LEDGER_); built in create_app/main, never at import time."""

from __future__ import annotations

from xinyidai_shared.settings import ServiceSettings, settings_config


class Settings(ServiceSettings):
    """What fund-ledger adds to the shared settings: the policy profile and the fund's watch levels."""

    model_config = settings_config("FUND_LEDGER_")

    service_name: str = "fund-ledger"
    port: int = 8003
    database_url: str = "sqlite+aiosqlite:///var/fund-ledger.db"
    # "measures" (art.7: 20% fiscal share) or "plan" (Plan 4.1.1: 30%).
    policy_profile: str = "measures"
    # Days a bank has to pay a contribution, recovery share or clawback before it shows as overdue.
    bank_payment_days: int = 30
    # Days the city has to pay the yearly fiscal deposit once the revenue is recorded.
    fiscal_payment_days: int = 90
    # FundBalanceLow is published when cash falls below this (fen) or a compensation has to wait.
    balance_low_threshold_fen: int = 100_000_000
    revoked_token_ids: list[str] = []
