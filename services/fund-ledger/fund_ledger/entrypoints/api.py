"""fund-ledger's HTTP API for reading the books (money in and confirmations: ``api_money``)."""

from __future__ import annotations

from typing import Annotated

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from xinyidai_shared.auth import FUND_READERS, Principal, Role, require
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.errors import Forbidden, NotFound
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.web import get_runtime
from xinyidai_shared.params import INT64_MAX, STRICT

from ..adapters import books
from ..schemas import (
    BalanceRead,
    BankPositionRead,
    DueRead,
    FundRead,
    JournalPage,
    LeverageRead,
    TransferRead,
    due_read,
    fen_keys_to_yuan,
    transfer_read,
)
from ..service_layer import queries

router = APIRouter(prefix="/v1", tags=["fund"])


def _own_bank(principal: Principal, bank_id: str) -> None:
    if principal.role is Role.BANK and principal.bank_id != bank_id:
        raise Forbidden("NOT_YOUR_BANK", "a bank sees only its own position and dues")


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
    cursor: Annotated[int | None, Query(ge=0, le=INT64_MAX, description="the previous page's next_cursor"), STRICT] = None,
    limit: Annotated[int, Query(ge=1, le=queries.JOURNAL_PAGE_MAX), STRICT] = 100, runtime: Runtime = Depends(get_runtime),
    principal: Principal = Depends(require(*FUND_READERS, Role.BANK)),
) -> JournalPage:
    """The journal in order, filtered, one page at a time (pass `next_cursor` back as `cursor`)."""
    if principal.role is Role.BANK:
        bank_id = principal.bank_id
    async with runtime.db.read_session() as session:
        rows, next_seq = await queries.journal(
            session, account_code=account, kind=kind, bank_id=bank_id, claim_id=claim_id, status=status,
            since=since, until=until, after_seq=cursor or 0, limit=limit,
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


@router.get("/leverage", response_model=LeverageRead)
async def read_leverage(runtime: Runtime = Depends(get_runtime), _: Principal = Depends(require(*FUND_READERS))) -> LeverageRead:
    """Covered principal outstanding ÷ the fund's cash."""
    async with runtime.db.read_session() as session:
        return LeverageRead(**fen_keys_to_yuan(await queries.leverage(session)))
