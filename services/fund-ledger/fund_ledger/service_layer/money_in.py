"""Money in (art.7): initial capital, the yearly fiscal share, bank contributions, declared payments of dues."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.errors import Conflict, Forbidden, Invalid, NotFound
from xinyidai_shared.events import Envelope, InterestIncomeReported, LoanRegistered, LoanRepaid
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, dues
from ..adapters.tables import loan_exposure
from ..domain.accounts import (
    CAPITAL_INITIAL,
    CASH,
    DUE_FISCAL,
    INCOME_CONTRIBUTION,
    INCOME_FISCAL,
    Transfer,
    TransferKind,
    TransferStatus,
    due_account,
)
from ..domain.policy import bank_contribution, fiscal_share
from .rules import LedgerRules

PAYMENT_KIND = {
    "fiscal": TransferKind.FISCAL_DEPOSIT,
    "contribution": TransferKind.CONTRIBUTION_PAYMENT,
    "recovery": TransferKind.RECOVERY_PAYMENT,
    "clawback": TransferKind.CLAWBACK_PAYMENT,
}


@dataclass(frozen=True)
class Officer:
    """Who acts: ``party`` scopes the caller's references (its organisation), ``person`` is recorded and
    compared by the two-person rules (``org`` or ``org/person``)."""

    party: str
    person: str


def mint_id(prefix: str) -> str:
    """A fresh transfer id for a caller's request; callers never choose transfer ids (see DERIVED_PREFIXES)."""
    return f"{prefix}-{uuid.uuid4().hex}"


async def declare(uow: UnitOfWork, wanted: Transfer) -> tuple[Transfer, bool]:
    """Store a pending declaration under the caller's reference; the same reference replays the first answer
    (whatever became of it since), another movement under it is refused."""
    stored = await books.by_client_ref(uow.session, wanted.client_party or "", wanted.client_ref or "")
    if stored is not None:
        if not stored.same_request(wanted):
            raise Conflict("REFERENCE_REUSED", f"reference {wanted.client_ref!r} already names a different movement")
        return stored, False
    await books.record(uow.session, wanted)
    uow.audit(after={"transfer_id": wanted.id, "kind": str(wanted.kind), "status": str(wanted.status),
                     "amount_fen": wanted.amount_fen, "due_id": wanted.due_id}, transfer_id=wanted.id)
    return wanted, True


async def declare_initial_capital(uow: UnitOfWork, *, reference: str, amount_fen: int, by: Officer) -> tuple[Transfer, bool]:
    """The city's one-off initial capital (art.7: 10,000,000 CNY) is declared; a second officer confirms it."""
    await books.lock_fund(uow.session)  # two first deposits racing must not both pass the one-off check
    wanted = Transfer(id=mint_id("cin"), kind=TransferKind.INITIAL_CAPITAL, debit_account=CASH, credit_account=CAPITAL_INITIAL,
                      amount_fen=amount_fen, created_at=utcnow(), status=TransferStatus.PENDING,
                      memo="initial capital from city finance", client_party=by.party, client_ref=reference,
                      declared_by=by.person)
    replay = await books.by_client_ref(uow.session, by.party, reference)
    if replay is None:
        other = await books.live_initial_capital(uow.session)
        if other is not None:
            raise Conflict("INITIAL_CAPITAL_ALREADY_DEPOSITED",
                           f"initial capital was declared by transfer {other.id} ({other.status})")
    return await declare(uow, wanted)


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


async def declare_payment(uow: UnitOfWork, *, due_id: str, reference: str, amount_fen: int, by: Officer,
                          payer_bank_id: str | None) -> tuple[Transfer, bool]:
    """Money declared against an amount due; ``payer_bank_id`` limits a bank to its own dues. It settles the
    due, and pays waiting compensations, only once the finance bureau confirms it."""
    session = uow.session
    await books.lock_fund(session)  # declarations against one due are summed under the lock
    row = await dues.get_due(session, due_id)
    if row is None:
        raise NotFound("DUE_NOT_FOUND", f"no amount due {due_id!r}")
    if payer_bank_id is not None and row.party != payer_bank_id:
        raise Forbidden("NOT_YOUR_DUE", "a bank pays only its own dues")
    wanted = Transfer(id=mint_id("cin"), kind=PAYMENT_KIND[row.kind], debit_account=CASH,
                      credit_account=due_account(row.kind, row.party), amount_fen=amount_fen, created_at=utcnow(),
                      status=TransferStatus.PENDING, bank_id=None if row.party == "city" else row.party, due_id=due_id,
                      memo=f"payment of {due_id}", client_party=by.party, client_ref=reference, declared_by=by.person)
    if await books.by_client_ref(session, by.party, reference) is None:
        declared = await dues.pending_declared(session, due_id)
        left = row.amount_fen - row.settled_fen - declared
        if amount_fen > left:
            raise Conflict("DUE_OVERPAID", f"{amount_fen} fen is more than is still owed on {due_id} "
                           f"({left} fen after {declared} fen declared and awaiting confirmation)")
    return await declare(uow, wanted)


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
