"""What handlers need besides the unit of work: policy data, the clock, id minting, the notice length."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from xinyidai_shared import workdays
from xinyidai_shared.clock import business_date, utcnow

from claims.domain.policy import ProfilePeriod, ProfileSchedule
from claims.domain.rates import ReferenceRates, ReferenceRateTable, TermBand, default_tables


def new_id(prefix: str) -> str:
    """A fresh opaque id such as ``ln_3f2a...`` (the prefix tells the kind)."""
    return f"{prefix}_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Deps:
    rates: ReferenceRates
    profiles: ProfileSchedule
    city_divisions: frozenset[str]
    notice_working_days: int
    clock: Callable[[], datetime] = utcnow
    mint: Callable[[str], str] = new_id
    admitted_banks: set[str] = field(default_factory=set)  # banks seen admitted (admission is never undone)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today's business date in Asia/Shanghai."""
        return business_date(self.clock())

    def notice_end(self, start_on: date, overrides: Mapping[date, bool]) -> date:
        """Last day of an art.17.3 notice starting on ``start_on``, on the officers' working-day calendar."""
        return workdays.notice_end(start_on, self.notice_working_days, overrides)


def deps_from_settings(settings, *, clock: Callable[[], datetime] = utcnow) -> Deps:  # noqa: ANN001 - claims Settings
    """Build the handler dependencies from claims' settings."""
    tables = [
        ReferenceRateTable(r.effective_on, r.source, tuple(TermBand(b.max_term_months, b.rate_bp) for b in r.bands))
        for r in settings.reference_rates
    ] or default_tables()
    return Deps(
        rates=ReferenceRates(tables),
        profiles=ProfileSchedule([ProfilePeriod(p.effective_on, p.profile) for p in settings.policy_profiles]),
        city_divisions=frozenset(settings.city_divisions),
        notice_working_days=settings.notice_working_days,
        clock=clock,
    )
