"""Which events fund-ledger consumes and from whom (the shared runner applies each exactly once)."""

from __future__ import annotations

from ..service_layer.handlers import Handler, event_handlers
from ..service_layer.rules import LedgerRules

CONSUMES = ("claims",)


def handlers_for(rules: LedgerRules) -> dict[str, Handler]:
    """ClaimApproved, RecoveryReported, ClawbackOrdered, InterestIncomeReported, LoanRegistered, LoanRepaid."""
    return event_handlers(rules)
