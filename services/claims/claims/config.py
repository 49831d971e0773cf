"""claims settings (env prefix CLAIMS_); built in create_app/main, never at import time."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from xinyidai_shared.settings import ServiceSettings, notice_shortcut, settings_config


class ProfilePeriodSetting(BaseModel):
    effective_on: date
    profile: str  # "measures" or "plan"


class BandSetting(BaseModel):
    max_term_months: int | None  # None: any longer term
    rate_bp: int


class ReferenceRateSetting(BaseModel):
    effective_on: date
    source: str  # "pboc_benchmark" or "lpr"
    bands: list[BandSetting]


class Settings(ServiceSettings):
    """What claims adds to the shared settings: the notice period, the city, the policy schedule."""

    model_config = settings_config("CLAIMS_")

    service_name: str = "claims"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/claims.db"
    # Art.17.3 public notice of approved claims, in working days. The dev/demo stack sets 0 so a demo
    # finishes in seconds; a notice of 0 days may be closed the day it starts.
    notice_working_days: int = 5
    # Art.9: enterprises registered in the city; USCC positions 3-8 (凌源市 is 211382).
    city_divisions: list[str] = ["211382"]
    # Which profile governs loans issued from a date on (the profile applies for the loan's life).
    # The default puts every loan under the Measures; set e.g.
    # CLAIMS_POLICY_PROFILES='[{"effective_on":"2000-01-01","profile":"plan"}]' for the Plan's figures.
    policy_profiles: list[ProfilePeriodSetting] = [ProfilePeriodSetting(effective_on=date(2000, 1, 1), profile="measures")]
    # Art.11.2 reference rates with effective dates; empty means the built-in table (PBoC benchmark of
    # 2015-10-24, then the LPR fixings from 2020-01-01; see claims.domain.rates.default_tables).
    reference_rates: list[ReferenceRateSetting] = []
    # Largest monthly bulk status file accepted, in bytes.
    status_file_max_bytes: int = 5_000_000
    # Webhooks to banks (docs/WEBHOOKS.md). Loopback targets (and plain http to them) only for dev and tests:
    # refused outside dev mode, like every other shortcut.
    webhook_allow_loopback: bool = False
    webhook_timeout_s: float = 10.0  # one try, from DNS to the answer's first bytes
    webhook_per_endpoint: int = 4  # tries at once per endpoint
    webhook_max_in_flight: int = 64  # tries at once per process
    webhook_poll_interval_s: float = 0.5
    webhook_retry_base_s: float = 30.0  # first retry after 15-30 s, doubling
    webhook_retry_max_s: float = 3600.0  # retries at least hourly (15-60 min) once the doubling gets there
    webhook_retry_window_s: float = 86_400.0  # retried for 24 hours, the last try at the window's end
    webhook_secret_overlap_s: float = 86_400.0  # a rotated secret keeps signing beside the new one this long
    # Bulk loan files from core systems (docs/LOAN_FILES.md): 100,000 loans fit with room to spare.
    loan_file_max_bytes: int = 80_000_000
    loan_file_batch_lines: int = 1000  # lines registered per transaction (a restart resumes after the last)
    loan_file_poll_interval_s: float = 0.5

    def policy_shortcuts(self) -> list[str]:
        """A notice shorter than the legal floor is for dev mode only; so are webhooks to this machine."""
        shortcuts = notice_shortcut("CLAIMS_NOTICE_WORKING_DAYS", self.notice_working_days,
                                    "the art.17 public notice of approved claims")
        if self.webhook_allow_loopback:
            shortcuts.append("CLAIMS_WEBHOOK_ALLOW_LOOPBACK=true lets banks point webhooks at this machine")
        return shortcuts
