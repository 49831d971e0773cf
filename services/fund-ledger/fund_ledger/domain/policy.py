"""Policy arithmetic of the fund (Measures art.7, 12, 15; Plan 4.1.1 as an alternative profile).

Rounding happens only in ``xinyidai_shared.money`` (round half up to the fen).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xinyidai_shared.errors import Invalid
from xinyidai_shared.money import apply_fraction, apply_ratio_bp


@dataclass(frozen=True)
class PolicyProfile:
    """The fund's money-in rates: the fiscal share (art.7: 20%; Plan: 30%) and the banks' 5%."""

    name: str
    fiscal_share_bp: int
    bank_contribution_bp: int


PROFILES: dict[str, PolicyProfile] = {
    "measures": PolicyProfile("measures", fiscal_share_bp=2000, bank_contribution_bp=500),
    "plan": PolicyProfile("plan", fiscal_share_bp=3000, bank_contribution_bp=500),
}


def profile_named(name: str) -> PolicyProfile:
    """The policy profile called ``name``; refuses an unknown one."""
    try:
        return PROFILES[name]
    except KeyError:
        raise Invalid("POLICY_PROFILE_UNKNOWN", f"unknown policy profile {name!r}; known: {sorted(PROFILES)}") from None


class LimitedBy(StrEnum):
    RATIO = "ratio"
    PER_LOAN_CAP = "per_loan_cap"
    BANK_CAP = "bank_cap"


@dataclass(frozen=True)
class CompensationQuote:
    """How much the fund pays on one approved claim and which rule bound it."""

    amount_fen: int
    by_ratio_fen: int
    limited_by: LimitedBy

    @property
    def blocked(self) -> bool:
        """A quote of zero is not paid: the claim is blocked with the binding rule as reason."""
        return self.amount_fen == 0


def quote_compensation(
    *, principal_at_loss_fen: int, ratio_bp: int, per_loan_cap_fen: int | None, bank_cap_left_fen: int | None
) -> CompensationQuote:
    """``pay = min(ratio × principal, per-loan cap, bank's remaining cap)`` (docs/DESIGN.md §2; art.12).

    A cap of ``None`` means the profile states none. Ties go to the earlier rule in that order.
    """
    if principal_at_loss_fen < 0 or not 0 <= ratio_bp <= 10_000:
        raise Invalid("CLAIM_FIGURES_INVALID", "principal must be >= 0 and the ratio within 0..10000 bp")
    by_ratio = apply_ratio_bp(principal_at_loss_fen, ratio_bp)
    amount, limited_by = by_ratio, LimitedBy.RATIO
    if per_loan_cap_fen is not None and per_loan_cap_fen < amount:
        amount, limited_by = max(per_loan_cap_fen, 0), LimitedBy.PER_LOAN_CAP
    if bank_cap_left_fen is not None and bank_cap_left_fen < amount:
        amount, limited_by = max(bank_cap_left_fen, 0), LimitedBy.BANK_CAP
    return CompensationQuote(amount_fen=amount, by_ratio_fen=by_ratio, limited_by=limited_by)


def blocked_reason(quote: CompensationQuote) -> tuple[str, str]:
    """The stable code and the sentence for a zero quote."""
    if quote.limited_by is LimitedBy.BANK_CAP:
        return "BANK_CAP_EXHAUSTED", "the bank's cumulative compensation cap (art.12) is used up"
    if quote.limited_by is LimitedBy.PER_LOAN_CAP:
        return "PER_LOAN_CAP_ZERO", "the per-loan cap leaves nothing to pay"
    return "NOTHING_TO_PAY", "ratio × principal at loss is zero"


def recovery_share(
    *,
    recovered_fen: int,
    costs_fen: int,
    compensation_paid_fen: int,
    principal_at_loss_fen: int,
    already_shared_fen: int = 0,
) -> int:
    """The fund's share of a recovery (art.15): net recovery × (compensation paid ÷ principal at loss).

    Costs above the amount recovered leave nothing to share. The fund's subrogation right reaches only
    what it paid, so all shares of one claim together never exceed the compensation paid.
    """
    if recovered_fen < 0 or costs_fen < 0 or compensation_paid_fen < 0:
        raise Invalid("RECOVERY_FIGURES_INVALID", "recovered, costs and compensation must be >= 0")
    net = recovered_fen - costs_fen
    if net <= 0 or compensation_paid_fen == 0 or principal_at_loss_fen <= 0:
        return 0
    share = apply_fraction(net, compensation_paid_fen, principal_at_loss_fen)
    return max(min(share, compensation_paid_fen - already_shared_fen), 0)


def fiscal_share(revenue_fen: int, profile: PolicyProfile) -> int:
    """The yearly fiscal deposit due: the profile's share of the financial-industry tax revenue (art.7)."""
    if revenue_fen < 0:
        raise Invalid("REVENUE_NEGATIVE", "tax revenue must be >= 0")
    return apply_ratio_bp(revenue_fen, profile.fiscal_share_bp)


def bank_contribution(interest_income_fen: int, profile: PolicyProfile) -> int:
    """A bank's yearly contribution due: 5% of its interest income from these loans (art.7)."""
    if interest_income_fen < 0:
        raise Invalid("INTEREST_NEGATIVE", "interest income must be >= 0")
    return apply_ratio_bp(interest_income_fen, profile.bank_contribution_bp)
