"""Expected compensation, shown on a claim: min(ratio × principal, per-loan cap, bank's remaining cap).

The fund ledger makes the binding computation when it pays; this is the figure officers and the bank
see while the claim is reviewed (docs/DESIGN.md §2, "Caps apply in order").
"""

from __future__ import annotations

from dataclasses import dataclass

from xinyidai_shared.money import apply_ratio_bp

from .policy import PolicyProfile


@dataclass(frozen=True)
class Expected:
    ratio_bp: int
    by_ratio_fen: int
    per_loan_cap_fen: int | None
    bank_cap_fen: int | None
    bank_remaining_fen: int | None
    expected_fen: int


def expected_compensation(profile: PolicyProfile, principal_fen: int, bank_committed_fen: int) -> Expected:
    """What the fund would pay on ``principal_fen``, given what the bank already has approved or paid."""
    by_ratio = apply_ratio_bp(principal_fen, profile.ratio_bp)
    candidates = [by_ratio]
    if profile.per_loan_cap_fen is not None:
        candidates.append(profile.per_loan_cap_fen)
    remaining = None
    if profile.bank_cap_fen is not None:
        remaining = max(profile.bank_cap_fen - bank_committed_fen, 0)
        candidates.append(remaining)
    return Expected(profile.ratio_bp, by_ratio, profile.per_loan_cap_fen, profile.bank_cap_fen, remaining, min(candidates))
