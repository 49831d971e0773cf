"""Interest rates: exact integer parts-per-million, reference-rate tables with effective dates, art.11.2 cap.

A rate is held as integer ppm of the principal per year (4.35% = 43_500 ppm; one basis point = 100 ppm),
so the art.11.2 cap "reference × 1.30" is exact for every reference rate quoted in basis points
(4.35% × 1.3 = 5.655% = 56_550 ppm) and "one basis point over the cap" is representable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from xinyidai_shared.errors import Invalid

PPM_PER_BP = 100
CAP_MULTIPLIER_NUM, CAP_MULTIPLIER_DEN = 13, 10  # art.11.2: at most 30% above the reference rate
_PERCENT = re.compile(r"^(?P<int>\d{1,3})(?:\.(?P<frac>\d{1,4}))?$")


def parse_rate_percent(text: str) -> int:
    """Exact percent text ("5.655") to ppm; at most 4 decimals, never a float."""
    match = _PERCENT.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise Invalid("RATE_INVALID", f"not a percent with at most 4 decimals: {text!r}", field="annual_rate")
    return int(match["int"]) * 10_000 + int((match["frac"] or "0").ljust(4, "0"))


def format_rate_percent(rate_ppm: int) -> str:
    """ppm to percent text with four decimals: 56_550 -> "5.6550"."""
    whole, frac = divmod(rate_ppm, 10_000)
    return f"{whole}.{frac:04d}"


@dataclass(frozen=True)
class TermBand:
    """Reference rate for loans whose term is at most ``max_term_months`` (None: no upper bound)."""

    max_term_months: int | None
    rate_bp: int


@dataclass(frozen=True)
class ReferenceRateTable:
    """One published table (PBoC benchmark or LPR) in force from ``effective_on`` until the next one."""

    effective_on: date
    source: str  # "pboc_benchmark" or "lpr"
    bands: tuple[TermBand, ...]

    def rate_bp_for(self, term_months: int) -> int:
        """The reference rate for a term, from the first band that holds it."""
        for band in self.bands:
            if band.max_term_months is None or term_months <= band.max_term_months:
                return band.rate_bp
        raise ValueError(f"table of {self.effective_on} has no band for {term_months} months")


@dataclass(frozen=True)
class AppliedRate:
    """What was applied to a loan at registration, stored on it for life."""

    source: str
    effective_on: date
    reference_rate_ppm: int
    cap_ppm: int


class ReferenceRates:
    """All tables, newest effective date first; answers "which reference applied on this issue date"."""

    def __init__(self, tables: list[ReferenceRateTable]) -> None:
        if not tables:
            raise ValueError("at least one reference-rate table is needed")
        self._tables = sorted(tables, key=lambda t: t.effective_on, reverse=True)

    def applied(self, issued_on: date, term_months: int) -> AppliedRate:
        """The reference rate and art.11.2 cap for a loan issued on ``issued_on``."""
        for table in self._tables:
            if table.effective_on <= issued_on:
                reference_ppm = table.rate_bp_for(term_months) * PPM_PER_BP
                # Exact: a bp reference times 13/10 in ppm is an integer (bp × 130).
                cap_ppm = reference_ppm * CAP_MULTIPLIER_NUM // CAP_MULTIPLIER_DEN
                return AppliedRate(table.source, table.effective_on, reference_ppm, cap_ppm)
        raise Invalid("NO_REFERENCE_RATE", f"no reference rate is configured for {issued_on}", field="issued_on")


def _lpr(on: date, one_year_bp: int, five_year_bp: int) -> ReferenceRateTable:
    # Loans up to five years are priced off the 1-year LPR and longer ones off the 5-year LPR, the
    # market practice since the 2019 LPR reform.
    return ReferenceRateTable(on, "lpr", (TermBand(60, one_year_bp), TermBand(None, five_year_bp)))


def default_tables() -> list[ReferenceRateTable]:
    """PBoC benchmark (last set 2015-10-24) until new loans moved to the LPR on 2020-01-01, then LPR fixings."""
    pboc = ReferenceRateTable(
        date(2015, 10, 24), "pboc_benchmark", (TermBand(12, 435), TermBand(60, 475), TermBand(None, 490))
    )
    return [
        pboc,
        _lpr(date(2020, 1, 1), 415, 480),
        _lpr(date(2020, 2, 20), 405, 475),
        _lpr(date(2020, 4, 20), 385, 465),
        _lpr(date(2021, 12, 20), 380, 465),
        _lpr(date(2022, 1, 20), 370, 460),
        _lpr(date(2022, 5, 20), 370, 445),
        _lpr(date(2022, 8, 22), 365, 430),
        _lpr(date(2023, 6, 20), 355, 420),
        _lpr(date(2023, 8, 21), 345, 420),
        _lpr(date(2024, 2, 20), 345, 395),
        _lpr(date(2024, 7, 22), 335, 385),
        _lpr(date(2024, 10, 21), 310, 360),
        _lpr(date(2025, 5, 20), 300, 350),
    ]
