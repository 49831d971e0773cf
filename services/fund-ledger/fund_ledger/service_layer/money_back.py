"""Money back: recovery shares (art.15) and clawbacks with disqualification (art.19)."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from xinyidai_shared.clock import utcnow
from xinyidai_shared.events import ClawbackOrdered, CompensationBlocked, Envelope, RecoveryReported
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, dues, positions
from ..adapters.tables import bank_position, compensation, recovery
from .compensation import pay_waiting
from .recoveries import owe, settle_awaiting_recoveries
from .rules import LedgerRules


async def handle_recovery_reported(uow: UnitOfWork, event: RecoveryReported, envelope: Envelope, rules: LedgerRules) -> None:
    """RecoveryReported: the fund's share (net × paid ÷ principal at loss) becomes due from the bank."""
    session = uow.session
    seen = (await session.execute(select(recovery.c.recovery_id).where(recovery.c.recovery_id == event.recovery_id))).first()
    if seen is not None:
        return
    await session.execute(
        insert(recovery).values(
            recovery_id=event.recovery_id, claim_id=event.claim_id, bank_id=event.bank_id,
            recovered_fen=event.recovered_fen, costs_fen=event.costs_fen, share_fen=0, status="awaiting",
            reported_on=event.reported_on,
        )
    )
    await settle_awaiting_recoveries(uow, event.claim_id, rules)


async def handle_clawback_ordered(uow: UnitOfWork, event: ClawbackOrdered, envelope: Envelope, rules: LedgerRules) -> None:
    """ClawbackOrdered (fraud): every compensation paid to the bank is due back; the bank is disqualified."""
    session = uow.session
    if await dues.get_due(session, f"clawback:{event.clawback_id}") is not None:
        return
    await books.lock_fund(session)  # voiding touches cash's pending totals: cash first, then the bank
    bank = await positions.lock_bank(session, event.bank_id)
    now = utcnow()
    await session.execute(
        update(bank_position).where(bank_position.c.bank_id == event.bank_id)
        .values(disqualified=True, disqualified_at=bank.disqualified_at or now)
    )
    waiting = await positions.waiting_queue(session, bank_id=event.bank_id)
    rows = await positions.get_compensations(session, [item.claim_id for item in waiting])
    for item in waiting:
        row = rows[item.claim_id]
        await books.void_pending(session, row.transfer_id, now)
        await positions.set_compensation_status(session, item.claim_id, status="voided", reason_code="BANK_DISQUALIFIED")
        await positions.release_commitment(session, event.bank_id, row.amount_fen)
        uow.publish(CompensationBlocked(
            claim_id=row.claim_id, loan_id=row.loan_id, bank_id=row.bank_id, uscc=row.uscc,
            reason_code="BANK_DISQUALIFIED", reason=f"clawback {event.clawback_id}: {event.reason}"[:500],
        ))
    # The voided claims may have held the queue's head: whoever is next may be payable now.
    await pay_waiting(uow, rules)
    # Recovery shares already owed on this bank's claims are part of what it pays back; count them once.
    shared = (await session.execute(
        select(func.coalesce(func.sum(compensation.c.recovery_shared_fen), 0)).where(compensation.c.bank_id == event.bank_id)
    )).scalar_one()
    owed = bank.paid_fen - int(shared) - bank.clawed_back_fen
    if owed > 0:
        await session.execute(
            update(bank_position).where(bank_position.c.bank_id == event.bank_id)
            .values(clawed_back_fen=bank_position.c.clawed_back_fen + owed)
        )
        await owe(uow, kind="clawback", due_id=f"clawback:{event.clawback_id}", bank_id=event.bank_id,
                   amount_fen=owed, payment_days=rules.bank_payment_days)
