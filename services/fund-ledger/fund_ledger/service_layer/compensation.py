"""Money out (art.12): an approved claim becomes a capped, queued, double-entry compensation."""

from __future__ import annotations


from sqlalchemy import insert, update
from xinyidai_shared.clock import utcnow
from xinyidai_shared.events import ClaimApproved, CompensationBlocked, CompensationPaid, Envelope, FundBalanceLow
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, positions
from ..adapters.tables import compensation, loan_exposure
from ..domain.accounts import CASH, Transfer, TransferKind, TransferStatus, compensation_account
from ..domain.policy import blocked_reason, quote_compensation
from ..domain.queue import payable_now
from .recoveries import settle_awaiting_recoveries
from .rules import LedgerRules


def compensation_transfer_id(event_id: str) -> str:
    """The compensation transfer's id derives from the approving event, so a redelivery cannot pay twice."""
    return f"cmp-{event_id}"


async def handle_claim_approved(uow: UnitOfWork, event: ClaimApproved, envelope: Envelope, watch: LedgerRules) -> None:
    """ClaimApproved: cap the pay, reserve it against the bank's cap, queue it and pay what cash allows."""
    session = uow.session
    await books.lock_fund(session)
    bank = await positions.lock_bank(session, event.bank_id)
    if await positions.get_compensation(session, event.claim_id) is not None:
        return  # one compensation per claim, whatever event id approved it again (checked under the lock)
    now = utcnow()
    await _close_exposure(session, event.loan_id)
    base = {
        "claim_id": event.claim_id, "bank_id": event.bank_id, "loan_id": event.loan_id, "uscc": event.uscc,
        "event_id": str(envelope.id), "principal_at_loss_fen": event.principal_at_loss_fen,
        "ratio_bp": event.ratio_bp, "approved_at": event.approved_at,
    }
    if bank.disqualified:
        await _block(uow, event, base, "BANK_DISQUALIFIED", "the bank lost eligibility after a clawback (art.19)")
        return
    cap_left = None if event.bank_cap_fen is None else max(event.bank_cap_fen - bank.committed_fen, 0)
    quote = quote_compensation(
        principal_at_loss_fen=event.principal_at_loss_fen,
        ratio_bp=event.ratio_bp,
        per_loan_cap_fen=event.per_loan_cap_fen,
        bank_cap_left_fen=cap_left,
    )
    if quote.blocked:
        code, reason = blocked_reason(quote)
        await _block(uow, event, base, code, reason, limited_by=str(quote.limited_by))
        return
    if not await positions.commit_to_cap(session, event.bank_id, quote.amount_fen, event.bank_cap_fen):
        # Unreachable while the bank row is locked; refusing keeps the cap whole if the lock ever slips.
        raise RuntimeError(f"bank {event.bank_id} cap moved under a held lock")
    transfer_id = compensation_transfer_id(str(envelope.id))
    await books.record(
        session,
        Transfer(
            id=transfer_id, kind=TransferKind.COMPENSATION, debit_account=compensation_account(event.bank_id),
            credit_account=CASH, amount_fen=quote.amount_fen, created_at=now, status=TransferStatus.PENDING,
            event_id=str(envelope.id), claim_id=event.claim_id, loan_id=event.loan_id, bank_id=event.bank_id,
            memo=f"compensation for claim {event.claim_id} ({quote.limited_by})",
        ),
    )
    await session.execute(
        insert(compensation).values(
            **base, amount_fen=quote.amount_fen, limited_by=str(quote.limited_by), status="waiting", transfer_id=transfer_id
        )
    )
    paid = await pay_waiting(uow, watch)
    if event.claim_id not in paid:
        # Cash is short: the compensation waits in the queue; tell the finance bureau.
        queue = await positions.waiting_queue(session)
        _warn_low(uow, watch, await books.balance_posted(session, CASH), sum(w.amount_fen for w in queue))


async def _block(uow: UnitOfWork, event: ClaimApproved, base: dict, code: str, reason: str, limited_by: str = "none") -> None:
    await uow.session.execute(
        insert(compensation).values(**base, amount_fen=0, limited_by=limited_by, status="blocked", reason_code=code)
    )
    uow.publish(
        CompensationBlocked(
            claim_id=event.claim_id, loan_id=event.loan_id, bank_id=event.bank_id, uscc=event.uscc,
            reason_code=code, reason=reason,
        )
    )


async def _close_exposure(session, loan_id: str) -> None:  # noqa: ANN001
    """A loan whose loss is compensated no longer counts as covered principal outstanding."""
    await session.execute(
        update(loan_exposure).where(loan_exposure.c.loan_id == loan_id).values(outstanding_fen=0, closed=True)
    )


async def pay_waiting(uow: UnitOfWork, watch: LedgerRules) -> list[str]:
    """Pay the queue's head while cash covers it in full (first approved, first paid); return paid claims."""
    session = uow.session
    await books.lock_fund(session)
    cash_before = await books.balance_posted(session, CASH)
    queue = await positions.waiting_queue(session)
    payable = payable_now(cash_before, queue)
    now = utcnow()
    for item in payable:
        row = await positions.get_compensation(session, item.claim_id)
        await books.post_pending(session, row.transfer_id, now)
        await positions.set_compensation_status(session, item.claim_id, status="paid", at=now)
        await positions.add_paid(session, row.bank_id, row.amount_fen)
        uow.publish(
            CompensationPaid(
                claim_id=row.claim_id, loan_id=row.loan_id, bank_id=row.bank_id, uscc=row.uscc,
                amount_fen=row.amount_fen, transfer_id=row.transfer_id, paid_at=now,
            )
        )
        await settle_awaiting_recoveries(uow, row.claim_id, watch)
    paid_fen = sum(item.amount_fen for item in payable)
    if cash_before >= watch.threshold_fen > cash_before - paid_fen:
        _warn_low(uow, watch, cash_before - paid_fen, sum(item.amount_fen for item in queue) - paid_fen)
    return [item.claim_id for item in payable]


def _warn_low(uow: UnitOfWork, watch: LedgerRules, cash_fen: int, waiting_fen: int) -> None:
    uow.publish(FundBalanceLow(cash_fen=cash_fen, threshold_fen=watch.threshold_fen, waiting_fen=waiting_fen, observed_at=utcnow()))
