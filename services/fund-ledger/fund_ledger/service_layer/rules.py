"""The configured rules handlers need (built from Settings in the composition root)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.policy import PolicyProfile, profile_named


@dataclass(frozen=True)
class LedgerRules:
    """Policy profile, payment periods and the low-cash warning level."""

    profile: PolicyProfile
    threshold_fen: int = 100_000_000
    bank_payment_days: int = 30
    fiscal_payment_days: int = 90

    @classmethod
    def from_settings(cls, settings) -> "LedgerRules":  # noqa: ANN001 - fund_ledger.config.Settings
        return cls(
            profile=profile_named(settings.policy_profile),
            threshold_fen=settings.balance_low_threshold_fen,
            bank_payment_days=settings.bank_payment_days,
            fiscal_payment_days=settings.fiscal_payment_days,
        )
