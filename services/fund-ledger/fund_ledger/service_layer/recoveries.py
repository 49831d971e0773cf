"""Recovery shares (art.15): a recovery becomes a due once its claim's compensation is settled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, dues, positions
from ..adapters.tables import bank_position, compensation, recovery
from ..domain.accounts import INCOME_CLAWBACK, INCOME_RECOVERY, Transfer, TransferKind, due_account
from ..domain.policy import recovery_share
from .rules import LedgerRules


async def settle_awaiting_recoveries(uow: UnitOfWork, claim_id: str, rules: LedgerRules) -> None:
    """Turn recoveries of a claim into dues once its compensation is paid (or drop them if it never will be).

    A recovery may arrive before the compensation is paid (events reorder, cash may be short); it waits
    here instead of being shared at a ratio that is not known yet.
    """
    session = uow.session
    comp = await positions.get_compensation(session, claim_id)
    if comp is None or comp.status == "waiting":
        return
    waiting = (
        await session.execute(
            select(recovery).where(recovery.c.claim_id == claim_id, recovery.c.status == "awaiting").order_by(recovery.c.recovery_id)
        )
    ).all()
    shared = comp.recovery_shared_fen
    disqualified = (await session.execute(
        select(bank_position.c.disqualified).where(bank_position.c.bank_id == comp.bank_id)
    )).scalar_one_or_none()
    for rec in waiting:
        # After a clawback the whole compensation is owed back, so a later recovery owes the fund nothing more.
        paid = comp.amount_fen if comp.status == "paid" and not disqualified else 0
        share = recovery_share(
            recovered_fen=rec.recovered_fen, costs_fen=rec.costs_fen, compensation_paid_fen=paid,
            principal_at_loss_fen=comp.principal_at_loss_fen, already_shared_fen=shared,
        )
        status = "due" if share > 0 else "nothing"
        await session.execute(
            update(recovery).where(recovery.c.recovery_id == rec.recovery_id).values(share_fen=share, status=status)
        )
        if share > 0:
            shared += share
            await owe(uow, kind="recovery", due_id=f"recovery:{rec.recovery_id}", bank_id=comp.bank_id,
                       amount_fen=share, payment_days=rules.bank_payment_days, claim_id=claim_id)
    await session.execute(update(compensation).where(compensation.c.claim_id == claim_id).values(recovery_shared_fen=shared))


async def owe(uow: UnitOfWork, *, kind: str, due_id: str, bank_id: str, amount_fen: int, payment_days: int,
               claim_id: str | None = None) -> None:
    """Record an amount a bank owes the fund: a due row and its receivable transfer."""
    now = utcnow()
    income = INCOME_RECOVERY if kind == "recovery" else INCOME_CLAWBACK
    transfer_kind = TransferKind.RECOVERY_DUE if kind == "recovery" else TransferKind.CLAWBACK_DUE
    await dues.add_due(uow.session, due_id=due_id, kind=kind, party=bank_id, amount_fen=amount_fen,
                       due_on=today_shanghai() + timedelta(days=payment_days), at=now, reference=claim_id)
    await books.record(
        uow.session,
        Transfer(id=f"due-{due_id}", kind=transfer_kind, debit_account=due_account(kind, bank_id), credit_account=income,
                 amount_fen=amount_fen, created_at=now, posted_at=now, bank_id=bank_id, claim_id=claim_id,
                 memo=f"{kind} due from {bank_id}"),
    )
