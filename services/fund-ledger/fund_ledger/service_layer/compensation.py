"""Money out (art.12): approved claims become capped, queued, double-entry compensations.

The work is set-based so that one approval and a burst of them take the same path: the fund's cash row
and the banks' rows are locked once (cash first, banks by id), every quote is computed in memory against
the locked totals, and the results are written with one statement per table or account touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from xinyidai_shared.clock import utcnow
from xinyidai_shared.logs import correlation_id
from xinyidai_shared.events import ClaimApproved, CompensationBlocked, CompensationPaid, Envelope, FundBalanceLow
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, positions
from ..adapters.tables import compensation, loan_exposure, recovery
from ..domain.accounts import CASH, Transfer, TransferKind, TransferStatus, compensation_account
from ..domain.policy import blocked_reason, quote_compensation
from ..domain.queue import payable_now
from .recoveries import settle_awaiting_recoveries
from .rules import LedgerRules


def compensation_transfer_id(event_id: str) -> str:
    """The compensation transfer's id derives from the approving event, so a redelivery cannot pay twice."""
    return f"cmp-{event_id}"


@dataclass
class _BankTally:
    committed_fen: int
    disqualified: bool
    cap_fen: int | None = None
    added_committed_fen: int = 0
    added_paid_fen: int = 0


@dataclass
class _Plan:
    transfers: list[Transfer] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    paid_claims: list[str] = field(default_factory=list)
    queued: bool = False


async def handle_claim_approved(uow: UnitOfWork, event: ClaimApproved, envelope: Envelope, rules: LedgerRules) -> None:
    """ClaimApproved: cap the pay, reserve it against the bank's cap, pay it now or queue it for cash."""
    await approve_many(uow, [(event, envelope)], rules)


async def approve_many(uow: UnitOfWork, approvals: list[tuple[ClaimApproved, Envelope]], rules: LedgerRules) -> None:
    """Apply approvals in order in one transaction (one or a burst of them: same rules, same result)."""
    session = uow.session
    cash_fen = await books.lock_fund(session)
    locked = await positions.lock_banks(session, {event.bank_id for event, _ in approvals})
    banks = {b: _BankTally(row.committed_fen, row.disqualified) for b, row in locked.items()}
    seen = await positions.existing_claims(session, [event.claim_id for event, _ in approvals])
    queue_empty = await positions.queue_is_empty(session)
    now = utcnow()
    plan = _Plan(queued=not queue_empty)
    cash_at_start = cash_fen
    for event, envelope in approvals:
        if event.claim_id in seen:
            continue  # one compensation per claim, whatever event id approved it again (checked under the lock)
        seen.add(event.claim_id)
        # Each event's own correlation id goes into the events it causes, also inside a burst.
        token = correlation_id.set(envelope.correlation_id or correlation_id.get())
        try:
            cash_fen = _plan_one(uow, plan, banks[event.bank_id], event, envelope, cash_fen, now)
        finally:
            correlation_id.reset(token)
    await session.execute(
        update(loan_exposure)
        .where(loan_exposure.c.loan_id.in_([event.loan_id for event, _ in approvals]))
        .values(outstanding_fen=0, closed=True)  # a compensated loss no longer counts as covered exposure
    )
    await books.record_many(session, plan.transfers)
    if plan.rows:
        await session.execute(insert(compensation), plan.rows)
    for bank_id, tally in banks.items():
        if tally.added_committed_fen and not await positions.move_bank(
            session, bank_id, committed_fen=tally.added_committed_fen, paid_fen=tally.added_paid_fen, cap_fen=tally.cap_fen
        ):
            # Unreachable while the bank row is locked; refusing keeps the cap whole if the lock ever slips.
            raise RuntimeError(f"bank {bank_id} cap moved under a held lock")
    await _settle_recoveries_of(uow, plan.paid_claims, rules)
    if not plan.queued and cash_at_start >= rules.threshold_fen > cash_fen:
        _warn_low(uow, rules, cash_fen, 0)
    if plan.queued:
        # Something waits: an approval dated before the queue's head may now lead it, so drain in order.
        await pay_waiting(uow, rules)
        waiting = await positions.waiting_queue(session)
        if waiting:
            _warn_low(uow, rules, await books.balance_posted(session, CASH), sum(w.amount_fen for w in waiting))


def _plan_one(uow: UnitOfWork, plan: _Plan, bank: _BankTally, event: ClaimApproved, envelope: Envelope,
              cash_fen: int, now) -> int:  # noqa: ANN001 - now is an aware datetime
    """Decide one approval against the running totals; returns the cash left."""
    base = {
        "claim_id": event.claim_id, "bank_id": event.bank_id, "loan_id": event.loan_id, "uscc": event.uscc,
        "event_id": str(envelope.id), "principal_at_loss_fen": event.principal_at_loss_fen,
        "ratio_bp": event.ratio_bp, "approved_at": event.approved_at, "reason_code": None, "paid_at": None,
        "transfer_id": None, "recovery_shared_fen": 0,
    }
    if bank.disqualified:
        _block(uow, plan, event, base, "BANK_DISQUALIFIED", "the bank lost eligibility after a clawback (art.19)", "none")
        return cash_fen
    committed = bank.committed_fen + bank.added_committed_fen
    cap_left = None if event.bank_cap_fen is None else max(event.bank_cap_fen - committed, 0)
    quote = quote_compensation(principal_at_loss_fen=event.principal_at_loss_fen, ratio_bp=event.ratio_bp,
                               per_loan_cap_fen=event.per_loan_cap_fen, bank_cap_left_fen=cap_left)
    if quote.blocked:
        code, reason = blocked_reason(quote)
        _block(uow, plan, event, base, code, reason, str(quote.limited_by))
        return cash_fen
    bank.added_committed_fen += quote.amount_fen
    bank.cap_fen = event.bank_cap_fen
    pay_now = not plan.queued and cash_fen >= quote.amount_fen
    transfer_id = compensation_transfer_id(str(envelope.id))
    plan.transfers.append(Transfer(
        id=transfer_id, kind=TransferKind.COMPENSATION, debit_account=compensation_account(event.bank_id),
        credit_account=CASH, amount_fen=quote.amount_fen, created_at=now,
        status=TransferStatus.POSTED if pay_now else TransferStatus.PENDING, posted_at=now if pay_now else None,
        event_id=str(envelope.id), claim_id=event.claim_id, loan_id=event.loan_id, bank_id=event.bank_id,
        memo=f"compensation for claim {event.claim_id} ({quote.limited_by})",
    ))
    plan.rows.append({**base, "amount_fen": quote.amount_fen, "limited_by": str(quote.limited_by),
                      "status": "paid" if pay_now else "waiting", "paid_at": now if pay_now else None,
                      "transfer_id": transfer_id})
    if not pay_now:
        plan.queued = True  # first approved, first paid: nothing after a waiting claim jumps ahead
        return cash_fen
    bank.added_paid_fen += quote.amount_fen
    plan.paid_claims.append(event.claim_id)
    uow.publish(CompensationPaid(claim_id=event.claim_id, loan_id=event.loan_id, bank_id=event.bank_id, uscc=event.uscc,
                                 amount_fen=quote.amount_fen, transfer_id=transfer_id, paid_at=now))
    return cash_fen - quote.amount_fen


def _block(uow: UnitOfWork, plan: _Plan, event: ClaimApproved, base: dict, code: str, reason: str, limited_by: str) -> None:
    plan.rows.append({**base, "amount_fen": 0, "limited_by": limited_by, "status": "blocked", "reason_code": code})
    uow.publish(CompensationBlocked(claim_id=event.claim_id, loan_id=event.loan_id, bank_id=event.bank_id,
                                    uscc=event.uscc, reason_code=code, reason=reason))


async def _settle_recoveries_of(uow: UnitOfWork, claim_ids: list[str], rules: LedgerRules) -> None:
    """Recoveries reported before their claim was paid become dues now (one look-up for the whole batch)."""
    if not claim_ids:
        return
    rows = (await uow.session.execute(
        select(recovery.c.claim_id).where(recovery.c.claim_id.in_(claim_ids), recovery.c.status == "awaiting").distinct()
    )).all()
    for row in rows:
        await settle_awaiting_recoveries(uow, row.claim_id, rules)


async def pay_waiting(uow: UnitOfWork, rules: LedgerRules) -> list[str]:
    """Pay the queue's head while cash covers it in full (first approved, first paid); return paid claims."""
    session = uow.session
    cash_before = await books.lock_fund(session)
    queue = await positions.waiting_queue(session)
    payable = payable_now(cash_before, queue)
    now = utcnow()
    rows = await positions.get_compensations(session, [item.claim_id for item in payable])
    for item in payable:
        row = rows[item.claim_id]
        await books.post_pending(session, row.transfer_id, now)
        await positions.set_compensation_status(session, item.claim_id, status="paid", at=now)
        await positions.add_paid(session, row.bank_id, row.amount_fen)
        uow.publish(CompensationPaid(claim_id=row.claim_id, loan_id=row.loan_id, bank_id=row.bank_id, uscc=row.uscc,
                                     amount_fen=row.amount_fen, transfer_id=row.transfer_id, paid_at=now))
    await _settle_recoveries_of(uow, [item.claim_id for item in payable], rules)
    paid_fen = sum(item.amount_fen for item in payable)
    if cash_before >= rules.threshold_fen > cash_before - paid_fen:
        _warn_low(uow, rules, cash_before - paid_fen, sum(item.amount_fen for item in queue) - paid_fen)
    return [item.claim_id for item in payable]


def _warn_low(uow: UnitOfWork, rules: LedgerRules, cash_fen: int, waiting_fen: int) -> None:
    uow.publish(FundBalanceLow(cash_fen=cash_fen, threshold_fen=rules.threshold_fen, waiting_fen=waiting_fen, observed_at=utcnow()))
