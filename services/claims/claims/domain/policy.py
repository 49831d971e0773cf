"""Policy profiles as data: the Measures (default) and the Plan's alternative (docs/DESIGN.md §2).

The profile in force on a loan's issue date applies to that loan for its whole life, so a later
change of policy never alters what an already-issued loan may claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xinyidai_shared.errors import Invalid


class Trigger(StrEnum):
    LOSS = "loss"  # Measures art.14: the loan is classified as loss (损失类)
    OVERDUE = "overdue"  # Plan 4.1.1: the loan is overdue (逾期), paid in advance


@dataclass(frozen=True)
class PolicyProfile:
    """One set of compensation rules; caps of None mean the profile states none."""

    name: str
    ratio_bp: int
    trigger: Trigger
    per_loan_cap_fen: int | None
    bank_cap_fen: int | None
    first_loan_only: bool = True


MEASURES = PolicyProfile("measures", 3000, Trigger.LOSS, 50_000_000, 200_000_000)  # art.12: 30%, 50万, 200万
PLAN = PolicyProfile("plan", 7000, Trigger.OVERDUE, None, None)  # Plan 4.1.1: 70% on overdue, no caps
PROFILES: dict[str, PolicyProfile] = {p.name: p for p in (MEASURES, PLAN)}


@dataclass(frozen=True)
class ProfilePeriod:
    """A profile in force for loans issued on or after ``effective_on`` (until the next period)."""

    effective_on: date
    profile: str


class ProfileSchedule:
    """Which profile governs a loan issued on a given date."""

    def __init__(self, periods: list[ProfilePeriod]) -> None:
        if not periods:
            raise ValueError("at least one profile period is needed")
        for period in periods:
            if period.profile not in PROFILES:
                raise ValueError(f"unknown policy profile {period.profile!r}")
        self._periods = sorted(periods, key=lambda p: p.effective_on, reverse=True)

    def in_force_on(self, issued_on: date) -> PolicyProfile:
        """The profile for a loan issued on ``issued_on``."""
        for period in self._periods:
            if period.effective_on <= issued_on:
                return PROFILES[period.profile]
        raise Invalid("NO_POLICY_PROFILE", f"no policy profile is in force on {issued_on}", field="issued_on")


def profile_named(name: str) -> PolicyProfile:
    """A profile by the name stored on a loan."""
    return PROFILES[name]
