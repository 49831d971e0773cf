"""The credit check pre-filled from credit-data's events (Plan 4.2.5): rating A or better, a credit
report exists, no active dishonesty (失信) record."""

from __future__ import annotations

from dataclasses import dataclass, field

# Best first; UNRATED ranks below every grade.
PASSING_GRADES = frozenset({"AAA", "AA", "A"})


def at_least_a(grade: str | None) -> bool:
    """Whether ``grade`` is A or better (an unknown or missing grade is not)."""
    return grade in PASSING_GRADES


@dataclass(frozen=True, slots=True)
class CreditSnapshot:
    """What this service knows locally about an enterprise's credit."""

    grade: str | None = None
    has_report: bool = False
    active_dishonesty: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CreditVerdict:
    """The pre-filled verdict and the reason codes of every failed condition."""

    passed: bool
    reason_codes: tuple[str, ...] = field(default=())


def verdict(snapshot: CreditSnapshot) -> CreditVerdict:
    """Check the three conditions and say which ones fail."""
    reasons: list[str] = []
    if snapshot.grade is None:
        reasons.append("NO_RATING")
    elif not at_least_a(snapshot.grade):
        reasons.append("RATING_BELOW_A")
    if not snapshot.has_report:
        reasons.append("NO_CREDIT_REPORT")
    if snapshot.active_dishonesty:
        reasons.append("DISHONESTY_RECORDED")
    return CreditVerdict(not reasons, tuple(reasons))
