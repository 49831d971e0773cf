"""Eligibility at issuance, rule by rule, each with its article (Measures art.9, 11, 12; Plan 4.2.5).

Every rule is evaluated (none short-circuits), so a bank sees all reasons a loan is not covered.
A loan that fails any rule is still registered, as not covered, with those reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xinyidai_shared.events import DIVISION_OUTSIDE_CITY

from .dates import term_months
from .policy import PolicyProfile
from .rates import AppliedRate, format_rate_percent
from .standing import Standing, grade_at_least

MIN_GRADE = "A"  # Plan 4.2.5: a rating below A leaves the fund without liability
NORMAL_TERM_MONTHS = 24  # art.11.3: "原则上不高于2年"
MAX_TERM_MONTHS = 36  # art.11.3: "最多不超过3年"
SME_SIZES = frozenset({"medium", "small", "micro"})


class Purpose(StrEnum):
    WORKING_CAPITAL = "working_capital"
    FIXED_ASSETS = "fixed_assets"
    TECHNOLOGY = "technology"
    TRADE = "trade"
    AGRICULTURE = "agriculture"
    REAL_ESTATE_DEVELOPMENT = "real_estate_development"
    OTHER = "other"


class LoanType(StrEnum):
    PURE_CREDIT = "pure_credit"  # 纯信用: no collateral, no guarantee
    GUARANTEED = "guaranteed"
    COLLATERALISED = "collateralised"
    PLEDGED = "pledged"


@dataclass(frozen=True)
class LoanFacts:
    """What the bank declared about a loan at registration."""

    uscc: str
    rate_ppm: int
    issued_on: date
    matures_on: date
    purpose_category: Purpose
    loan_type: LoanType
    through_platform: bool
    first_loan: bool


@dataclass(frozen=True)
class RuleCheck:
    """One rule's verdict; ``flagged`` marks a pass that officers should look at (a 2-3 year term)."""

    rule: str
    article: str
    passed: bool
    detail: str
    flagged: bool = False


@dataclass(frozen=True)
class Eligibility:
    checks: tuple[RuleCheck, ...]

    @property
    def covered(self) -> bool:
        """Covered only when every rule passed."""
        return all(check.passed for check in self.checks)

    def failures(self) -> tuple[RuleCheck, ...]:
        """The rules that failed, in evaluation order."""
        return tuple(check for check in self.checks if not check.passed)


@dataclass(frozen=True)
class Context:
    """What the platform knows around the loan: standing on the issue date, rates, registry, city."""

    standing: Standing
    applied_rate: AppliedRate
    profile: PolicyProfile
    earlier_loans_of_enterprise: int
    city_divisions: frozenset[str]


def evaluate(facts: LoanFacts, ctx: Context) -> Eligibility:
    """All rules for one loan, in article order."""
    checks = [
        _listed(facts, ctx.standing),
        _in_city(facts, ctx.city_divisions, ctx.standing),
        _sme(ctx.standing),
        *_credit(ctx.standing),
        _rate(facts, ctx.applied_rate),
        _term(facts),
        _purpose(facts),
        _pure_credit(facts),
        _through_platform(facts),
        _first_loan(facts, ctx),
    ]
    return Eligibility(tuple(checks))


def _listed(facts: LoanFacts, standing: Standing) -> RuleCheck:
    passed = standing.listed
    detail = "on the recommended list" if passed else "not on the recommended list"
    return RuleCheck("LISTED", "Measures art.8, art.11.1", passed, f"{detail} on {facts.issued_on}")


def _in_city(facts: LoanFacts, divisions: frozenset[str], standing: Standing) -> RuleCheck:
    division = facts.uscc[2:8]
    if division in divisions:
        return RuleCheck("REGISTERED_IN_CITY", "Measures art.9", True, f"registered in division {division}")
    detail = f"registered in division {division}, outside {sorted(divisions)}"
    if DIVISION_OUTSIDE_CITY in standing.accepted_exceptions:
        # The whitelist's screening officer checked that the enterprise moved into the city and said so.
        return RuleCheck("REGISTERED_IN_CITY", "Measures art.9", True, detail + "; accepted as a local enterprise "
                         "(moved in) by the whitelist's screening", flagged=True)
    return RuleCheck("REGISTERED_IN_CITY", "Measures art.9", False, detail)


def _sme(standing: Standing) -> RuleCheck:
    size = standing.sme_size
    if size in SME_SIZES:
        return RuleCheck("SME", "Measures art.3, art.9", True, f"{size} enterprise per the recommended list")
    detail = "no SME size known from the recommended list" if size is None else f"size {size} is not SME"
    return RuleCheck("SME", "Measures art.3, art.9", False, detail)


def _credit(standing: Standing) -> list[RuleCheck]:
    grade = standing.grade or "none"
    rating_ok = grade_at_least(standing.grade, MIN_GRADE)
    dishonest = standing.dishonesty_ids
    return [
        RuleCheck("CREDIT_RATING", "Plan 4.2.5", rating_ok, f"rating {grade} on {standing.on}, {MIN_GRADE} or better needed"),
        RuleCheck(
            "CREDIT_REPORT", "Plan 4.2.5", standing.has_report,
            "a credit report existed" if standing.has_report else f"no credit report on {standing.on}",
        ),
        RuleCheck(
            "NO_DISHONESTY", "Plan 4.2.5", not dishonest,
            "no dishonesty record" if not dishonest else f"dishonesty records in effect: {', '.join(dishonest)}",
        ),
    ]


def _rate(facts: LoanFacts, applied: AppliedRate) -> RuleCheck:
    passed = facts.rate_ppm <= applied.cap_ppm
    detail = (
        f"rate {format_rate_percent(facts.rate_ppm)}% vs cap {format_rate_percent(applied.cap_ppm)}% "
        f"({applied.source} {format_rate_percent(applied.reference_rate_ppm)}% of {applied.effective_on} × 1.3)"
    )
    return RuleCheck("RATE_CAP", "Measures art.11.2", passed, detail)


def _term(facts: LoanFacts) -> RuleCheck:
    months = term_months(facts.issued_on, facts.matures_on)
    if months > MAX_TERM_MONTHS:
        return RuleCheck("TERM", "Measures art.11.3", False, f"term of {months} months exceeds 3 years")
    flagged = months > NORMAL_TERM_MONTHS
    detail = f"term of {months} months" + (", longer than the normal 2 years" if flagged else "")
    return RuleCheck("TERM", "Measures art.11.3", True, detail, flagged=flagged)


def _purpose(facts: LoanFacts) -> RuleCheck:
    passed = facts.purpose_category is not Purpose.REAL_ESTATE_DEVELOPMENT
    return RuleCheck("PURPOSE", "Measures art.11.4", passed, f"purpose category {facts.purpose_category.value}")


def _pure_credit(facts: LoanFacts) -> RuleCheck:
    passed = facts.loan_type is LoanType.PURE_CREDIT
    return RuleCheck("PURE_CREDIT", "Measures art.11.5", passed, f"loan type {facts.loan_type.value}")


def _through_platform(facts: LoanFacts) -> RuleCheck:
    passed = facts.through_platform
    detail = "issued through the platform" if passed else "not issued through the platform"
    return RuleCheck("THROUGH_PLATFORM", "Measures art.11.5", passed, detail)


def _first_loan(facts: LoanFacts, ctx: Context) -> RuleCheck:
    if not ctx.profile.first_loan_only:
        return RuleCheck("FIRST_LOAN", "Measures art.12", True, "the profile covers any loan")
    if not facts.first_loan:
        return RuleCheck("FIRST_LOAN", "Measures art.12", False, "not declared a first loan (首贷)")
    if ctx.earlier_loans_of_enterprise:
        detail = f"declared first, but {ctx.earlier_loans_of_enterprise} earlier loan(s) of this enterprise are registered"
        return RuleCheck("FIRST_LOAN", "Measures art.12", False, detail)
    return RuleCheck("FIRST_LOAN", "Measures art.12", True, "first loan of this enterprise in the registry")
