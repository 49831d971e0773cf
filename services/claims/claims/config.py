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

    def policy_shortcuts(self) -> list[str]:
        """A notice shorter than the legal floor is for dev mode only."""
        return notice_shortcut("CLAIMS_NOTICE_WORKING_DAYS", self.notice_working_days, "the art.17 public notice of approved claims")
