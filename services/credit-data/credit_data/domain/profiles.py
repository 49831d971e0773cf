"""Profiles: what an enterprise's records say, per source, as of a rating month.

Windows count months back from the rating month (``months_ago`` 0 is the rating month itself):
the 12-month window is months_ago 0..12 (the rating month and the 12 complete months before it), the
24-month window 0..24. Several records of one source in one month (two meters, two heating companies)
are folded into one month: consumption and arrears add up, and the month is on time only if all were.
Ratios are integer basis points (10000 = 100%).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .records import UTILITY_SOURCES, FeedRecord

BP = 10_000
WINDOW_SHORT = 12
WINDOW_LONG = 24


@dataclass(slots=True)
class _Month:
    on_time: bool = True
    arrears_fen: int = 0
    consumption_milli: int | None = None
    disconnected: bool = False
    headcount: int | None = None
    tax_grade: str | None = None


@dataclass(frozen=True, slots=True)
class SourceProfile:
    """One source's facts for one enterprise."""

    source: str
    months_covered: int
    latest_period: int | None
    on_time_12_bp: int | None
    on_time_24_bp: int | None
    arrears_fen: int
    arrears_run: int
    disconnected_12: bool = False
    consumption_yoy_bp: int | None = None
    zero_use_12: int = 0
    zero_use_run: int = 0
    headcount_latest: int | None = None
    headcount_change_3m_bp: int | None = None
    tax_grade: str | None = None


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    """Everything the scorecard reads about one enterprise."""

    uscc: str
    as_of_period: int
    sources: dict[str, SourceProfile] = field(default_factory=dict)
    active_dishonesty: int = 0
    overdue_loans: int = 0


def _fold(records: Iterable[FeedRecord], as_of_period: int) -> dict[str, dict[int, _Month]]:
    months: dict[str, dict[int, _Month]] = {}
    for record in records:
        if not 0 <= as_of_period - record.period <= WINDOW_LONG:
            continue
        month = months.setdefault(record.source, {}).setdefault(record.period, _Month())
        month.on_time = month.on_time and record.paid_on_time
        month.arrears_fen += record.arrears_fen
        month.disconnected = month.disconnected or record.disconnected
        if record.consumption_milli is not None:
            month.consumption_milli = (month.consumption_milli or 0) + record.consumption_milli
        if record.headcount is not None:
            month.headcount = (month.headcount or 0) + record.headcount
        if record.tax_grade is not None:
            month.tax_grade = record.tax_grade
    return months


def _ratio(hits: int, total: int) -> int | None:
    return None if total == 0 else hits * BP // total


def _run(periods: list[int], months: dict[int, _Month], hit: str) -> int:
    """Consecutive months, back from the latest, in which ``hit`` holds (no gap allowed)."""
    run, expected = 0, periods[-1]
    for period in reversed(periods):
        month = months[period]
        matched = month.arrears_fen > 0 if hit == "arrears" else month.consumption_milli == 0
        if period != expected or not matched:
            break
        run, expected = run + 1, period - 1
    return run


def _yoy(months: dict[int, _Month], as_of_period: int) -> int | None:
    recent = [m.consumption_milli for p, m in months.items() if as_of_period - p < 12 and m.consumption_milli is not None]
    prior = [
        m.consumption_milli for p, m in months.items() if 12 <= as_of_period - p < 24 and m.consumption_milli is not None
    ]
    if len(recent) < 6 or len(prior) < 6:
        return None
    # Compare monthly averages so a year with a missing bill is not read as a fall.
    recent_avg_x, prior_avg_x = sum(recent) * len(prior), sum(prior) * len(recent)
    if prior_avg_x == 0:
        return None
    return (recent_avg_x - prior_avg_x) * BP // prior_avg_x


def _headcount_change(months: dict[int, _Month], latest: int) -> int | None:
    then = months.get(latest - 3)
    now = months[latest].headcount
    if then is None or not then.headcount or now is None:
        return None
    return (now - then.headcount) * BP // then.headcount


def source_profile(source: str, months: dict[int, _Month], as_of_period: int) -> SourceProfile:
    """Fold one source's months into its profile."""
    periods = sorted(months)
    latest = periods[-1]
    short = [months[p] for p in periods if as_of_period - p <= WINDOW_SHORT]
    grades = [months[p].tax_grade for p in periods if months[p].tax_grade is not None]
    utility = source in UTILITY_SOURCES
    return SourceProfile(
        source=source,
        months_covered=len(periods),
        latest_period=latest,
        on_time_12_bp=_ratio(sum(m.on_time for m in short), len(short)),
        on_time_24_bp=_ratio(sum(months[p].on_time for p in periods), len(periods)),
        arrears_fen=months[latest].arrears_fen,
        arrears_run=_run(periods, months, "arrears"),
        disconnected_12=any(m.disconnected for m in short),
        consumption_yoy_bp=_yoy(months, as_of_period) if utility else None,
        zero_use_12=sum(1 for m in short if m.consumption_milli == 0) if utility else 0,
        zero_use_run=_run(periods, months, "zero") if utility else 0,
        headcount_latest=months[latest].headcount,
        headcount_change_3m_bp=_headcount_change(months, latest) if source == "social_insurance" else None,
        tax_grade=grades[-1] if grades else None,
    )


def build_profile(
    uscc: str,
    records: Iterable[FeedRecord],
    *,
    as_of_period: int,
    active_dishonesty: int = 0,
    overdue_loans: int = 0,
) -> EnterpriseProfile:
    """The enterprise's profile from its current records (superseded versions excluded by the caller)."""
    folded = _fold(records, as_of_period)
    sources = {source: source_profile(source, months, as_of_period) for source, months in folded.items() if months}
    return EnterpriseProfile(uscc, as_of_period, sources, active_dishonesty, overdue_loans)
