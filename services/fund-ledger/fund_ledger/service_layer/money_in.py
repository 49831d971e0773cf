"""Money in (art.7): initial capital, the yearly fiscal share, bank contributions, payments of dues."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.errors import Conflict, Forbidden, Invalid, NotFound
from xinyidai_shared.events import Envelope, FundDeposited, InterestIncomeReported, LoanRegistered, LoanRepaid
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, dues
from ..adapters.tables import loan_exposure, transfer
from ..domain.accounts import (
    CAPITAL_INITIAL,
    CASH,
    DUE_FISCAL,
    INCOME_CONTRIBUTION,
    INCOME_FISCAL,
    Transfer,
    TransferKind,
    due_account,
)
from ..domain.policy import bank_contribution, fiscal_share
from .compensation import pay_waiting
from .rules import LedgerRules

PAYMENT_KIND = {
    "fiscal": TransferKind.FISCAL_DEPOSIT,
    "contribution": TransferKind.CONTRIBUTION_PAYMENT,
    "recovery": TransferKind.RECOVERY_PAYMENT,
    "clawback": TransferKind.CLAWBACK_PAYMENT,
}


async def _cash_in(uow: UnitOfWork, wanted: Transfer, rules: LedgerRules, *, source: str, due_id: str | None = None) -> tuple[Transfer, bool]:
    """Post money arriving in the fund's cash, settle its due, then pay waiting compensations in order.

    Returns the transfer and whether it is new (False: the same request was replayed, nothing moved).
    """
    session = uow.session
    await books.lock_fund(session)
    stored = await books.existing_or_none(session, wanted)
    if stored is not None:
        return stored, False
    if due_id is not None and not await dues.settle(session, due_id, wanted.amount_fen, wanted.created_at):
        raise Conflict("DUE_OVERPAID", f"{wanted.amount_fen} fen is more than is still owed on {due_id}")
    await books.record(session, wanted)
    uow.publish(FundDeposited(transfer_id=wanted.id, kind=str(wanted.kind), amount_fen=wanted.amount_fen,
                              source=source, deposited_at=wanted.created_at))
    await pay_waiting(uow, rules)
    return wanted, True


async def deposit_initial_capital(uow: UnitOfWork, *, transfer_id: str, amount_fen: int, rules: LedgerRules) -> tuple[Transfer, bool]:
    """The city's one-off initial capital (art.7: 10,000,000 CNY by default) enters the fund's cash."""
    await books.lock_fund(uow.session)  # two first deposits racing must not both pass the one-off check
    now = utcnow()
    wanted = Transfer(id=transfer_id, kind=TransferKind.INITIAL_CAPITAL, debit_account=CASH, credit_account=CAPITAL_INITIAL,
                      amount_fen=amount_fen, created_at=now, posted_at=now, memo="initial capital from city finance")
    # A capital deposit that was reversed (a correction) no longer counts as the one-off deposit.
    reversed_ids = select(transfer.c.reverses).where(transfer.c.reverses.is_not(None))
    other = (await uow.session.execute(
        select(transfer.c.id).where(
            transfer.c.kind == str(TransferKind.INITIAL_CAPITAL), transfer.c.id != transfer_id,
            transfer.c.id.not_in(reversed_ids),
        )
    )).first()
    if other is not None:
        raise Conflict("INITIAL_CAPITAL_ALREADY_DEPOSITED", f"initial capital was deposited by transfer {other.id}")
    return await _cash_in(uow, wanted, rules, source="city-finance")


async def record_fiscal_revenue(uow: UnitOfWork, *, year: int, revenue_fen: int, rules: LedgerRules):  # noqa: ANN201
    """The year's financial-industry tax revenue: the profile's share becomes due from the city budget."""
    if not 2000 <= year <= 2100:
        raise Invalid("YEAR_OUT_OF_RANGE", f"year {year} is not a plausible fiscal year")
    due_id = f"fiscal:{year}"
    await books.lock_fund(uow.session)  # two first recordings racing must not both insert the due
    existing = await dues.get_due(uow.session, due_id)
    if existing is not None:
        if existing.basis_fen != revenue_fen:
            raise Conflict("FISCAL_REVENUE_ALREADY_RECORDED", f"revenue for {year} was recorded as {existing.basis_fen} fen")
        return existing
    amount = fiscal_share(revenue_fen, rules.profile)
    if amount == 0:
        raise Invalid("NOTHING_DUE", "a zero revenue leaves nothing due")
    now = utcnow()
    await dues.add_due(uow.session, due_id=due_id, kind="fiscal", party="city", amount_fen=amount,
                       due_on=today_shanghai() + timedelta(days=rules.fiscal_payment_days), at=now,
                       basis_fen=revenue_fen, rate_bp=rules.profile.fiscal_share_bp, year=year)
    await books.record(uow.session, Transfer(
        id=f"due-{due_id}", kind=TransferKind.FISCAL_DUE, debit_account=DUE_FISCAL, credit_account=INCOME_FISCAL,
        amount_fen=amount, created_at=now, posted_at=now, memo=f"fiscal share {year} ({rules.profile.name})"))
    return await dues.get_due(uow.session, due_id)


async def pay_due(uow: UnitOfWork, *, due_id: str, transfer_id: str, amount_fen: int, payer_bank_id: str | None,
                  rules: LedgerRules) -> tuple[Transfer, bool]:
    """Money arriving against an amount due; ``payer_bank_id`` limits a bank to its own dues."""
    row = await dues.get_due(uow.session, due_id)
    if row is None:
        raise NotFound("DUE_NOT_FOUND", f"no amount due {due_id!r}")
    if payer_bank_id is not None and row.party != payer_bank_id:
        raise Forbidden("NOT_YOUR_DUE", "a bank pays only its own dues")
    now = utcnow()
    wanted = Transfer(id=transfer_id, kind=PAYMENT_KIND[row.kind], debit_account=CASH,
                      credit_account=due_account(row.kind, row.party), amount_fen=amount_fen, created_at=now,
                      posted_at=now, bank_id=None if row.party == "city" else row.party, due_id=due_id,
                      memo=f"payment of {due_id}")
    return await _cash_in(uow, wanted, rules, source=row.party, due_id=due_id)


async def handle_interest_income(uow: UnitOfWork, event: InterestIncomeReported, envelope: Envelope, rules: LedgerRules) -> None:
    """InterestIncomeReported: 5% of the bank's interest income from these loans becomes due (art.7)."""
    due_id = f"contribution:{event.report_id}"
    amount = bank_contribution(event.interest_income_fen, rules.profile)
    if amount == 0 or await dues.get_due(uow.session, due_id) is not None:
        return
    now = utcnow()
    await dues.add_due(uow.session, due_id=due_id, kind="contribution", party=event.bank_id, amount_fen=amount,
                       due_on=today_shanghai() + timedelta(days=rules.bank_payment_days), at=now,
                       basis_fen=event.interest_income_fen, rate_bp=rules.profile.bank_contribution_bp, year=event.year)
    await books.record(uow.session, Transfer(
        id=f"due-{due_id}", kind=TransferKind.CONTRIBUTION_DUE, debit_account=due_account("contribution", event.bank_id),
        credit_account=INCOME_CONTRIBUTION, amount_fen=amount, created_at=now, posted_at=now, bank_id=event.bank_id,
        event_id=str(envelope.id), memo=f"contribution {event.year} from {event.bank_id}"))


async def handle_loan_registered(uow: UnitOfWork, event: LoanRegistered, envelope: Envelope, rules: LedgerRules) -> None:
    """LoanRegistered: a covered loan adds its principal to the fund's exposure (for leverage)."""
    if not event.covered:
        return
    seen = (await uow.session.execute(select(loan_exposure.c.loan_id).where(loan_exposure.c.loan_id == event.loan_id))).first()
    if seen is None:
        await uow.session.execute(loan_exposure.insert().values(
            loan_id=event.loan_id, bank_id=event.bank_id, principal_fen=event.principal_fen,
            outstanding_fen=event.principal_fen, closed=False))


async def handle_loan_repaid(uow: UnitOfWork, event: LoanRepaid, envelope: Envelope, rules: LedgerRules) -> None:
    """LoanRepaid: exposure falls to the reported outstanding principal (never rises on a late event)."""
    await uow.session.execute(
        update(loan_exposure)
        .where(loan_exposure.c.loan_id == event.loan_id, loan_exposure.c.outstanding_fen > event.outstanding_fen)
        .values(outstanding_fen=event.outstanding_fen, closed=event.settled)
    )
