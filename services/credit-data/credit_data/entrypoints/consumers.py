"""Handlers for the claims service's loan events (the inbox makes each apply once)."""

from __future__ import annotations

from typing import Any

from xinyidai_shared.clock import utcnow
from xinyidai_shared.events import Envelope, LoanCured, LoanDefaultedMaliciouslyV1, LoanOverdue, LoanRegistered, LoanRepaid
from xinyidai_shared.uow import UnitOfWork

from ..adapters import exposure_repo
from ..service_layer import default_reports
from ..service_layer.rating import rerate


async def _upsert(uow: UnitOfWork, event: Any, **values: Any) -> None:
    await exposure_repo.upsert(uow.session, loan_id=event.loan_id, bank_id=event.bank_id, uscc=event.uscc, at=utcnow(), **values)


async def on_loan_registered(uow: UnitOfWork, event: LoanRegistered, _envelope: Envelope) -> None:
    """A bank now lends to the enterprise: it will receive the enterprise's risk alerts."""
    await _upsert(uow, event, active=True)


async def on_loan_repaid(uow: UnitOfWork, event: LoanRepaid, _envelope: Envelope) -> None:
    """A settled loan ends the bank's exposure (and its alerts); a part repayment changes nothing here."""
    if event.settled:
        await _upsert(uow, event, active=False, days_past_due=0)
        await rerate(uow, [event.uscc], now=utcnow())


async def on_loan_overdue(uow: UnitOfWork, event: LoanOverdue, _envelope: Envelope) -> None:
    """An overdue bank loan counts against the enterprise's rating."""
    await _upsert(uow, event, days_past_due=event.days_past_due)
    await rerate(uow, [event.uscc], now=utcnow())


async def on_loan_cured(uow: UnitOfWork, event: LoanCured, _envelope: Envelope) -> None:
    """A loan that was past due is current again: the overdue penalty is lifted at once."""
    await _upsert(uow, event, days_past_due=0)
    await rerate(uow, [event.uscc], now=utcnow())


async def on_malicious_default(uow: UnitOfWork, event: LoanDefaultedMaliciouslyV1, _envelope: Envelope) -> None:
    """A bank's malicious-default report waits for the credit office's review; nothing becomes public here."""
    await default_reports.receive(uow, event, now=utcnow())


HANDLERS: dict[str, Any] = {
    "LoanRegistered": on_loan_registered,
    "LoanRepaid": on_loan_repaid,
    "LoanOverdue": on_loan_overdue,
    "LoanCured": on_loan_cured,
    "LoanDefaultedMaliciously": on_malicious_default,
}
