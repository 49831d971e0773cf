"""Which events fund-ledger consumes and from whom (the shared runner applies each exactly once)."""

from __future__ import annotations

from xinyidai_shared.consumer import GroupHandler

from ..service_layer.compensation import approve_many
from ..service_layer.handlers import Handler, event_handlers
from ..service_layer.rules import LedgerRules

CONSUMES = ("claims",)


def handlers_for(rules: LedgerRules) -> dict[str, Handler]:
    """ClaimApproved, RecoveryReported, ClawbackOrdered, InterestIncomeReported, LoanRegistered, LoanRepaid."""
    return event_handlers(rules)


def group_handlers_for(rules: LedgerRules) -> dict[str, GroupHandler]:
    """A burst of ClaimApproved (a yearly batch, a replay) is planned and paid in one go, in order."""

    async def approvals(uow, items) -> None:  # noqa: ANN001 - the shared GroupHandler signature
        await approve_many(uow, items, rules)

    return {"ClaimApproved": approvals}
