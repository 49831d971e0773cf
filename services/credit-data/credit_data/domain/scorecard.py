"""The scorecard: a transparent, versioned points table that turns a profile into a score and a grade.

Score = base points + the points of every factor that applies. Every factor is listed in the rating with
its points, and the reason codes name the factors that moved the score most. An enterprise with too little
data is UNRATED (no credit report) rather than guessed at. An active dishonesty record caps the grade at C.
Changing any number here means a new ``MODEL_VERSION`` and a re-rate of everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from .profiles import EnterpriseProfile, SourceProfile
from .records import UTILITY_SOURCES

MODEL_VERSION = "scorecard-2026.1"
BASE_POINTS = 600
MIN_MONTHS_PER_SOURCE = 6
MIN_SOURCES = 2
REASON_COUNT = 4
# Lowest score for each grade, best first.
GRADE_FLOORS: tuple[tuple[str, int], ...] = (("AAA", 800), ("AA", 740), ("A", 680), ("B", 600), ("C", 480))
GRADE_ORDER = ("AAA", "AA", "A", "B", "C", "D")
LENDING_GRADES = frozenset({"AAA", "AA", "A"})
UNRATED = "UNRATED"
TAX_GRADE_POINTS = {"A": 60, "B": 30, "M": 0, "C": -80, "D": -200}


@dataclass(frozen=True, slots=True)
class Factor:
    """One line of the scorecard that applied: its code, its points and what it saw."""

    code: str
    points: int
    detail: str


@dataclass(frozen=True, slots=True)
class Rating:
    """The scorecard's verdict for one profile."""

    grade: str
    score: int | None
    model_version: str
    reason_codes: tuple[str, ...]
    factors: tuple[Factor, ...]

    @property
    def has_report(self) -> bool:
        """A credit report exists for every rated enterprise, never for an unrated one."""
        return self.grade != UNRATED


def grade_for(score: int) -> str:
    """The grade whose floor the score reaches."""
    for grade, floor in GRADE_FLOORS:
        if score >= floor:
            return grade
    return "D"


def is_downgrade(previous: str | None, current: str) -> bool:
    """True when both grades are real grades and the current one is worse."""
    if previous not in GRADE_ORDER or current not in GRADE_ORDER:
        return False
    return GRADE_ORDER.index(current) > GRADE_ORDER.index(previous)  # type: ignore[arg-type]


def _pct(bp: int) -> str:
    return f"{bp / 100:.1f}%"


def _utility_factors(utilities: list[SourceProfile]) -> list[Factor]:
    factors: list[Factor] = []
    months = [(p.on_time_12_bp, p.months_covered) for p in utilities if p.on_time_12_bp is not None]
    if months:
        weight = sum(n for _, n in months)
        ratio = sum(bp * n for bp, n in months) // weight
        if ratio >= 9500:
            factors.append(Factor("UTILITY_PAID_ON_TIME", 80, f"utility bills paid on time {_pct(ratio)}"))
        elif ratio >= 8500:
            factors.append(Factor("UTILITY_MOSTLY_ON_TIME", 40, f"utility bills paid on time {_pct(ratio)}"))
        elif ratio < 7000:
            factors.append(Factor("UTILITY_PAID_LATE", -80, f"utility bills paid on time only {_pct(ratio)}"))
    run = max(p.arrears_run for p in utilities)
    if run >= 2:
        factors.append(Factor("UTILITY_ARREARS_RUNNING", -100, f"utility arrears for {run} months in a row"))
    elif run == 1:
        factors.append(Factor("UTILITY_ARREARS", -40, "utility arrears in the latest month"))
    if any(p.disconnected_12 for p in utilities):
        factors.append(Factor("UTILITY_DISCONNECTED", -80, "a utility was disconnected in the last 12 months"))
    zero_run = max(p.zero_use_run for p in utilities)
    if zero_run >= 3:
        factors.append(Factor("DORMANT", -80, f"no consumption for the last {zero_run} months"))
    elif max(p.zero_use_12 for p in utilities) >= 2:
        factors.append(Factor("IRREGULAR_USE", -30, "two or more months without consumption this year"))
    trends = [p.consumption_yoy_bp for p in utilities if p.consumption_yoy_bp is not None]
    if trends and min(trends) <= -3000:
        factors.append(Factor("CONSUMPTION_FALLING", -40, f"consumption down {_pct(-min(trends))} year on year"))
    elif trends and max(trends) >= 1000:
        factors.append(Factor("CONSUMPTION_GROWING", 20, f"consumption up {_pct(max(trends))} year on year"))
    return factors


def _tax_factors(tax: SourceProfile) -> list[Factor]:
    factors: list[Factor] = []
    if tax.on_time_12_bp is not None and tax.on_time_12_bp >= 9500:
        factors.append(Factor("TAX_COMPLIANT", 50, f"tax filed and paid on time {_pct(tax.on_time_12_bp)}"))
    elif tax.on_time_12_bp is not None and tax.on_time_12_bp < 8000:
        factors.append(Factor("TAX_LATE", -50, f"tax filed and paid on time only {_pct(tax.on_time_12_bp)}"))
    if tax.arrears_fen > 0:
        factors.append(Factor("TAX_ARREARS", -120, "tax arrears in the latest month"))
    if tax.tax_grade is not None and TAX_GRADE_POINTS[tax.tax_grade]:
        points = TAX_GRADE_POINTS[tax.tax_grade]
        factors.append(Factor(f"TAX_GRADE_{tax.tax_grade}", points, f"tax credit grade {tax.tax_grade}"))
    return factors


def _social_insurance_factors(si: SourceProfile) -> list[Factor]:
    factors: list[Factor] = []
    if si.on_time_12_bp is not None and si.on_time_12_bp >= 9500:
        factors.append(Factor("SOCIAL_INSURANCE_PAID", 40, f"contributions paid in full {_pct(si.on_time_12_bp)}"))
    if si.arrears_fen > 0:
        factors.append(Factor("SOCIAL_INSURANCE_ARREARS", -60, "social-insurance arrears in the latest month"))
    change = si.headcount_change_3m_bp
    if change is not None and change <= -3000:
        factors.append(Factor("HEADCOUNT_FALLING", -40, f"insured headcount down {_pct(-change)} in 3 months"))
    elif change is not None and change >= 1000:
        factors.append(Factor("HEADCOUNT_GROWING", 10, f"insured headcount up {_pct(change)} in 3 months"))
    return factors


def _standing_factors(profile: EnterpriseProfile, covered: list[SourceProfile]) -> list[Factor]:
    factors: list[Factor] = []
    if len(covered) >= 3:
        factors.append(Factor("BROAD_COVERAGE", 20, f"{len(covered)} sources with at least 6 months"))
    if max(p.months_covered for p in covered) >= 24:
        factors.append(Factor("LONG_HISTORY", 20, "24 months of history"))
    if profile.active_dishonesty:
        factors.append(Factor("DISHONESTY_RECORD", -300, f"{profile.active_dishonesty} active dishonesty record(s)"))
    if profile.overdue_loans:
        factors.append(Factor("LOAN_OVERDUE", -100, f"{profile.overdue_loans} overdue bank loan(s)"))
    return factors


def rate(profile: EnterpriseProfile) -> Rating:
    """Score and grade a profile, or UNRATED when fewer than two sources have six months each."""
    covered = [p for p in profile.sources.values() if p.months_covered >= MIN_MONTHS_PER_SOURCE]
    if len(covered) < MIN_SOURCES:
        detail = f"{len(covered)} source(s) with {MIN_MONTHS_PER_SOURCE}+ months; {MIN_SOURCES} needed"
        return Rating(UNRATED, None, MODEL_VERSION, ("INSUFFICIENT_DATA",), (Factor("INSUFFICIENT_DATA", 0, detail),))
    factors: list[Factor] = []
    utilities = [p for p in profile.sources.values() if p.source in UTILITY_SOURCES]
    if utilities:
        factors += _utility_factors(utilities)
    if "tax" in profile.sources:
        factors += _tax_factors(profile.sources["tax"])
    if "social_insurance" in profile.sources:
        factors += _social_insurance_factors(profile.sources["social_insurance"])
    factors += _standing_factors(profile, covered)
    score = BASE_POINTS + sum(f.points for f in factors)
    grade = grade_for(score)
    if profile.active_dishonesty and GRADE_ORDER.index(grade) < GRADE_ORDER.index("C"):
        grade = "C"
    ranked = sorted(factors, key=lambda f: (-abs(f.points), f.code))
    return Rating(grade, score, MODEL_VERSION, tuple(f.code for f in ranked[:REASON_COUNT]), tuple(factors))
