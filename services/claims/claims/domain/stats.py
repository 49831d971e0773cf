"""Statistics for the city's assessment of banks (Plan 4.1.4-5): totals, growth, quality, compensation.

Everything is computed from dated facts (issue, repayments, overdue snapshots, loss, payments), so a
figure for a past period is what was true at that period's end, not what is true now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from xinyidai_shared.errors import Invalid
from xinyidai_shared.money import BP_PER_UNIT, apply_fraction

from .dates import add_months

_PERIOD = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])))?$")


@dataclass(frozen=True)
class Period:
    label: str
    starts_on: date
    ends_on: date  # inclusive
    months: int

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        start = add_months(self.starts_on, -self.months)
        return period_of(start, self.months)


def period_of(start: date, months: int) -> Period:
    """The month, quarter or year starting on ``start``."""
    end = add_months(start, months) - timedelta(days=1)
    if months == 12:
        label = f"{start.year}"
    elif months == 3:
        label = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    else:
        label = f"{start.year}-{start.month:02d}"
    return Period(label, start, end, months)


def parse_period(text: str) -> Period:
    """"2026" (year), "2026-Q2" (quarter) or "2026-05" (month)."""
    match = _PERIOD.match(text.strip())
    if match is None or (match["m"] and not 1 <= int(match["m"]) <= 12):
        raise Invalid("PERIOD_INVALID", f"use YYYY, YYYY-Qn or YYYY-MM, not {text!r}", field="period")
    year = int(match["y"])
    if match["m"]:
        return period_of(date(year, int(match["m"]), 1), 1)
    if match["q"]:
        return period_of(date(year, (int(match["q"]) - 1) * 3 + 1, 1), 3)
    return period_of(date(year, 1, 1), 12)


@dataclass
class LoanHistory:
    """The dated facts of one covered or uncovered loan that statistics need."""

    bank_id: str
    principal_fen: int
    issued_on: date
    repayments: list[tuple[date, int]] = field(default_factory=list)
    overdue: list[tuple[date, int]] = field(default_factory=list)  # (as_of, overdue principal)
    loss: tuple[date, int] | None = None  # (classified_on, principal at loss)
    compensation: list[tuple[date, int]] = field(default_factory=list)  # (paid on, fen)

    def outstanding_on(self, day: date) -> int:
        if self.issued_on > day:
            return 0
        return self.principal_fen - sum(fen for on, fen in self.repayments if on <= day)

    def overdue_on(self, day: date) -> int:
        latest = max(((on, fen) for on, fen in self.overdue if on <= day), default=None)
        return min(latest[1], self.outstanding_on(day)) if latest else 0


@dataclass(frozen=True)
class Figures:
    scope: str  # a bank id, or "city"
    period: str
    loans_issued: int
    principal_issued_fen: int
    previous_principal_issued_fen: int
    growth_bp: int | None  # None when the previous period issued nothing
    outstanding_fen: int
    overdue_fen: int
    overdue_ratio_bp: int | None
    loss_fen: int
    loss_ratio_bp: int | None
    compensation_fen: int


def ratio_bp(numerator: int, denominator: int) -> int | None:
    """numerator ÷ denominator in basis points, half up; None when the denominator is 0."""
    return None if denominator == 0 else apply_fraction(numerator, BP_PER_UNIT, denominator)


def figures(scope: str, loans: list[LoanHistory], period: Period) -> Figures:
    """One scope's figures for one period."""
    prev = period.previous()
    issued = [ln for ln in loans if period.starts_on <= ln.issued_on <= period.ends_on]
    principal = sum(ln.principal_fen for ln in issued)
    prev_principal = sum(ln.principal_fen for ln in loans if prev.starts_on <= ln.issued_on <= prev.ends_on)
    end = period.ends_on
    outstanding = sum(ln.outstanding_on(end) for ln in loans)
    overdue = sum(ln.overdue_on(end) for ln in loans)
    to_date = sum(ln.principal_fen for ln in loans if ln.issued_on <= end)
    loss = sum(ln.loss[1] for ln in loans if ln.loss and ln.loss[0] <= end)
    paid = sum(fen for ln in loans for on, fen in ln.compensation if period.starts_on <= on <= end)
    return Figures(
        scope=scope, period=period.label, loans_issued=len(issued), principal_issued_fen=principal,
        previous_principal_issued_fen=prev_principal,
        growth_bp=ratio_bp(principal - prev_principal, prev_principal),
        outstanding_fen=outstanding, overdue_fen=overdue, overdue_ratio_bp=ratio_bp(overdue, outstanding),
        loss_fen=loss, loss_ratio_bp=ratio_bp(loss, to_date), compensation_fen=paid,
    )


def per_bank_and_city(loans: list[LoanHistory], period: Period, bank_ids: list[str]) -> list[Figures]:
    """A row per bank (every admitted bank, even with no loans) and one for the whole city, last."""
    rows = [figures(bank, [ln for ln in loans if ln.bank_id == bank], period) for bank in sorted(bank_ids)]
    rows.append(figures("city", loans, period))
    return rows


def ranking(rows: list[Figures]) -> list[tuple[int, Figures]]:
    """Banks ranked by principal issued, then growth, then lower overdue ratio (Plan 4.1.4: 总量和增速)."""
    banks = [r for r in rows if r.scope != "city"]

    def order(r: Figures) -> tuple:
        growth = r.growth_bp if r.growth_bp is not None else 0
        overdue = r.overdue_ratio_bp if r.overdue_ratio_bp is not None else 0
        return (-r.principal_issued_fen, -growth, overdue, r.scope)

    return [(i + 1, r) for i, r in enumerate(sorted(banks, key=order))]
