"""fund-ledger's HTTP API: money in, reading the books, the audit pack."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response
from xinyidai_shared.auth import FUND_READERS, Principal, Role, require
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.errors import Forbidden, Invalid, NotFound
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters import books
from ..schemas import (
    BalanceRead,
    BankPositionRead,
    CapitalDepositCreate,
    DuePaymentCreate,
    DueRead,
    FiscalRevenueCreate,
    FundRead,
    JournalPage,
    LeverageRead,
    ReversalCreate,
    TransferRead,
    due_read,
    fen_keys_to_yuan,
    transfer_read,
)
from ..service_layer import corrections, money_in, queries
from ..service_layer.rules import LedgerRules

router = APIRouter(prefix="/v1", tags=["fund"])


def _rules(runtime: Runtime) -> LedgerRules:
    return LedgerRules.from_settings(runtime.settings)


def _own_bank(principal: Principal, bank_id: str) -> None:
    if principal.role is Role.BANK and principal.bank_id != bank_id:
        raise Forbidden("NOT_YOUR_BANK", "a bank sees only its own position and dues")


@router.post("/deposits/initial-capital", response_model=TransferRead, status_code=201)
async def deposit_initial_capital(
    body: CapitalDepositCreate, response: Response,
    runtime: Runtime = Depends(get_runtime), _: Principal = Depends(require(Role.FINANCE_BUREAU)),
    uow: UnitOfWork = Depends(get_uow),  # after auth: no writer gate for a refused caller
) -> TransferRead:
    """Record the city's one-off initial capital arriving in the fund's cash (art.7)."""
    transfer, new = await money_in.deposit_initial_capital(uow, transfer_id=body.transfer_id, amount_fen=body.amount, rules=_rules(runtime))
    await uow.commit()
    response.status_code = 201 if new else 200
    return transfer_read(transfer)


@router.post("/fiscal-revenues", response_model=DueRead, status_code=201)
async def record_fiscal_revenue(
    body: FiscalRevenueCreate, runtime: Runtime = Depends(get_runtime),
    _: Principal = Depends(require(Role.FINANCE_BUREAU)),
    uow: UnitOfWork = Depends(get_uow),  # after auth: no writer gate for a refused caller
) -> DueRead:
    """Record a year's financial-industry tax revenue; the policy share becomes due from the budget (art.7)."""
    row = await money_in.record_fiscal_revenue(uow, year=body.year, revenue_fen=body.revenue, rules=_rules(runtime))
    await uow.commit()
    return due_read(queries.due_doc(row, today_shanghai()))


@router.post("/dues/{due_id}/payments", response_model=TransferRead, status_code=201)
async def pay_due(
    due_id: str, body: DuePaymentCreate, response: Response,
    runtime: Runtime = Depends(get_runtime), principal: Principal = Depends(require(Role.FINANCE_BUREAU, Role.BANK)),
    uow: UnitOfWork = Depends(get_uow),  # after auth: no writer gate for a refused caller
) -> TransferRead:
    """Record money received against an amount due (fiscal deposit, contribution, recovery share, clawback)."""
    payer = principal.bank_id if principal.role is Role.BANK else None
    transfer, new = await money_in.pay_due(uow, due_id=due_id, transfer_id=body.transfer_id, amount_fen=body.amount,
                                           payer_bank_id=payer, rules=_rules(runtime))
    await uow.commit()
    response.status_code = 201 if new else 200
    return transfer_read(transfer)


@router.get("/fund", response_model=FundRead)
async def read_fund(runtime: Runtime = Depends(get_runtime), _: Principal = Depends(require(*FUND_READERS, Role.SERVICE))) -> FundRead:
    """The fund's cash, compensations waiting for cash, compensation paid and amounts still owed."""
    async with runtime.db.read_session() as session:
        return FundRead(**fen_keys_to_yuan(await queries.fund_summary(session)))


@router.get("/accounts/{code}/balance", response_model=BalanceRead)
async def read_balance(
    code: str, at: datetime | None = Query(None, description="An instant with its zone; omitted: now"),
    runtime: Runtime = Depends(get_runtime), _: Principal = Depends(require(*FUND_READERS, Role.SERVICE)),
) -> BalanceRead:
    """The balance of any account, now or at any past instant (e.g. `cash`, `due:contribution:bank-icbc-ly`)."""
    async with runtime.db.read_session() as session:
        return BalanceRead(**fen_keys_to_yuan(await queries.balance_at(session, code, at)))


@router.get("/banks/{bank_id}/position", response_model=BankPositionRead)
async def read_bank_position(
    bank_id: str, runtime: Runtime = Depends(get_runtime), principal: Principal = Depends(require(*FUND_READERS, Role.BANK)),
) -> BankPositionRead:
    """A bank's compensation received and waiting, cap left, disqualification and amounts due."""
    _own_bank(principal, bank_id)
    async with runtime.db.read_session() as session:
        doc = await queries.bank_position_of(session, bank_id, today_shanghai())
    doc["dues"] = [due_read(d) for d in doc["dues"]]
    return BankPositionRead(**fen_keys_to_yuan(doc))


@router.get("/dues", response_model=list[DueRead])
async def list_dues(
    party: str | None = None, kind: str | None = None, overdue: bool = False, runtime: Runtime = Depends(get_runtime),
    principal: Principal = Depends(require(*FUND_READERS, Role.BANK)),
) -> list[DueRead]:
    """Amounts due to the fund, filtered by party and kind; `overdue=true` shows only those past their date."""
    if principal.role is Role.BANK:
        party = principal.bank_id
    async with runtime.db.read_session() as session:
        docs = await queries.list_dues(session, today=today_shanghai(), party=party, kind=kind, overdue_only=overdue)
    return [due_read(d) for d in docs]


@router.get("/journal", response_model=JournalPage)
async def read_journal(
    account: str | None = None, kind: str | None = None, bank_id: str | None = None, claim_id: str | None = None,
    status: str | None = None, since: datetime | None = None, until: datetime | None = None,
    cursor: str | None = None, limit: int = 100, runtime: Runtime = Depends(get_runtime),
    principal: Principal = Depends(require(*FUND_READERS, Role.BANK)),
) -> JournalPage:
    """The journal in order, filtered, one page at a time (pass `next_cursor` back as `cursor`)."""
    if principal.role is Role.BANK:
        bank_id = principal.bank_id
    if cursor is not None and not cursor.isdigit():
        raise Invalid("CURSOR_INVALID", "cursor must be a value returned as next_cursor")
    async with runtime.db.read_session() as session:
        rows, next_seq = await queries.journal(
            session, account_code=account, kind=kind, bank_id=bank_id, claim_id=claim_id, status=status,
            since=since, until=until, after_seq=int(cursor or 0), limit=limit,
        )
    return JournalPage(items=[transfer_read(r) for r in rows], next_cursor=None if next_seq is None else str(next_seq))


@router.get("/transfers/{transfer_id}", response_model=TransferRead)
async def read_transfer(
    transfer_id: str, runtime: Runtime = Depends(get_runtime), principal: Principal = Depends(require(*FUND_READERS, Role.BANK)),
) -> TransferRead:
    """One transfer by its id."""
    async with runtime.db.read_session() as session:
        stored = await books.get_transfer(session, transfer_id)
    if stored is None or (principal.role is Role.BANK and stored.bank_id != principal.bank_id):
        raise NotFound("TRANSFER_NOT_FOUND", f"no transfer {transfer_id!r}")
    return transfer_read(stored)


@router.post("/transfers/{transfer_id}/reversal", response_model=TransferRead, status_code=201)
async def reverse_transfer(
    transfer_id: str, body: ReversalCreate, response: Response,
    _: Principal = Depends(require(Role.FINANCE_BUREAU)),
    uow: UnitOfWork = Depends(get_uow),  # after auth: no writer gate for a refused caller
) -> TransferRead:
    """Correct a cash-in transfer recorded in error with a new reversing transfer (the original stays)."""
    reversal, new = await corrections.reverse_transfer(uow, transfer_id=transfer_id, reversal_id=body.reversal_id, reason=body.reason)
    await uow.commit()
    response.status_code = 201 if new else 200
    return transfer_read(reversal)


@router.get("/leverage", response_model=LeverageRead)
async def read_leverage(runtime: Runtime = Depends(get_runtime), _: Principal = Depends(require(*FUND_READERS))) -> LeverageRead:
    """Covered principal outstanding ÷ the fund's cash."""
    async with runtime.db.read_session() as session:
        return LeverageRead(**fen_keys_to_yuan(await queries.leverage(session)))
