"""The event handlers fund-ledger consumes, bound to the configured rules (consumer runner signature)."""

from __future__ import annotations

from xinyidai_shared.consumer import Handler

from functools import partial
from typing import Any

from xinyidai_shared.events import Envelope
from xinyidai_shared.uow import UnitOfWork

from .compensation import handle_claim_approved
from .money_back import handle_clawback_ordered, handle_recovery_reported
from .money_in import handle_interest_income, handle_loan_registered, handle_loan_repaid
from .rules import LedgerRules



def event_handlers(rules: LedgerRules) -> dict[str, Handler]:
    """Event type → handler; the shared consumer runner dedupes through the inbox and commits."""

    def bind(fn) -> Handler:  # noqa: ANN001
        return partial(_call, fn, rules)

    return {
        "ClaimApproved": bind(handle_claim_approved),
        "RecoveryReported": bind(handle_recovery_reported),
        "ClawbackOrdered": bind(handle_clawback_ordered),
        "InterestIncomeReported": bind(handle_interest_income),
        "LoanRegistered": bind(handle_loan_registered),
        "LoanRepaid": bind(handle_loan_repaid),
    }


async def _call(fn, rules: LedgerRules, uow: UnitOfWork, payload: Any, envelope: Envelope) -> None:  # noqa: ANN001
    await fn(uow, payload, envelope, rules)
