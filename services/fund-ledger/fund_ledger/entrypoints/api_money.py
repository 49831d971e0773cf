"""Money in by hand, and the second person: declarations, reversals proposed, confirmations and voidings.

Nothing a single caller sends here moves cash. A bank declares a payment of its own due; an officer of the
finance bureau declares a deposit or proposes a reversal; each waits (pending) until another officer of
the finance bureau confirms it, and only then is it cash (or cash out).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from xinyidai_shared.auth import Principal, Role, require
from xinyidai_shared.maker_checker import person
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import get_runtime, get_uow

from ..schemas import (
    CapitalDepositCreate,
    ConfirmationCreate,
    DuePaymentCreate,
    DueRead,
    FiscalRevenueCreate,
    ReversalCreate,
    TransferRead,
    VoidCreate,
    due_read,
    transfer_read,
)
from ..service_layer import confirmations, corrections, money_in, queries
from ..service_layer.money_in import Officer
from ..service_layer.rules import LedgerRules

router = APIRouter(prefix="/v1", tags=["money in"])
FINANCE = require(Role.FINANCE_BUREAU)


def _rules(runtime: Runtime) -> LedgerRules:
    return LedgerRules.from_settings(runtime.settings)


def _officer(principal: Principal) -> Officer:
    return Officer(party=principal.org_id, person=person(principal.org_id, principal.subject))


def _transfer_answer(transfer, new: bool) -> tuple[int, dict]:  # noqa: ANN001 - a domain Transfer
    return (201 if new else 200), transfer_read(transfer).model_dump(mode="json")


@router.post("/deposits/initial-capital", response_model=TransferRead, status_code=201)
async def declare_initial_capital(
    body: CapitalDepositCreate, principal: Principal = Depends(FINANCE), guard: Idempotency = Depends(idempotency),
) -> JSONResponse:
    """Declare the city's initial capital (art.7); it becomes cash when a second officer confirms it."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        return _transfer_answer(*await money_in.declare_initial_capital(
            uow, reference=body.reference, amount_fen=body.amount, by=_officer(principal)))

    return await guard.write(principal, work, natural_key=body.reference, body=body)


@router.post("/fiscal-revenues", response_model=DueRead, status_code=201)
async def record_fiscal_revenue(
    body: FiscalRevenueCreate, runtime: Runtime = Depends(get_runtime), _: Principal = Depends(FINANCE),
    uow: UnitOfWork = Depends(get_uow),  # after auth: no writer gate for a refused caller
) -> DueRead:
    """Record a year's financial-industry tax revenue; the policy share becomes due from the budget (art.7)."""
    row = await money_in.record_fiscal_revenue(uow, year=body.year, revenue_fen=body.revenue, rules=_rules(runtime))
    await uow.commit()
    return due_read(queries.due_doc(row, today_shanghai()))


@router.post("/dues/{due_id}/payments", response_model=TransferRead, status_code=201)
async def declare_payment(
    due_id: str, body: DuePaymentCreate, principal: Principal = Depends(require(Role.FINANCE_BUREAU, Role.BANK)),
    guard: Idempotency = Depends(idempotency),
) -> JSONResponse:
    """Declare a payment of an amount due (a bank its own dues); pending until the finance bureau confirms it."""
    payer = principal.bank_id if principal.role is Role.BANK else None

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        return _transfer_answer(*await money_in.declare_payment(
            uow, due_id=due_id, reference=body.reference, amount_fen=body.amount, by=_officer(principal),
            payer_bank_id=payer))

    # The caller's reference is the natural key: the same reference on another due is a reused key.
    return await guard.write(principal, work, natural_key=body.reference, body=body)


@router.post("/transfers/{transfer_id}/reversal", response_model=TransferRead, status_code=201)
async def propose_reversal(
    transfer_id: str, body: ReversalCreate, principal: Principal = Depends(FINANCE),
    guard: Idempotency = Depends(idempotency),
) -> JSONResponse:
    """Propose reversing a cash-in transfer recorded in error; a second officer must confirm it."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        return _transfer_answer(*await corrections.propose_reversal(
            uow, transfer_id=transfer_id, reference=body.reference, reason=body.reason, by=_officer(principal)))

    return await guard.write(principal, work, natural_key=body.reference, body=body)


@router.post("/transfers/{transfer_id}/confirmation", response_model=TransferRead)
async def confirm_transfer(
    transfer_id: str, body: ConfirmationCreate, runtime: Runtime = Depends(get_runtime),
    principal: Principal = Depends(FINANCE), uow: UnitOfWork = Depends(get_uow),
) -> TransferRead:
    """Confirm a declared payment or deposit (it becomes cash and pays the queue) or a proposed reversal."""
    transfer, _ = await confirmations.confirm(uow, transfer_id=transfer_id, by=person(principal.org_id, principal.subject),
                                              rules=_rules(runtime), note=body.note)
    await uow.commit()
    return transfer_read(transfer)


@router.post("/transfers/{transfer_id}/void", response_model=TransferRead)
async def void_transfer(
    transfer_id: str, body: VoidCreate, principal: Principal = Depends(FINANCE), uow: UnitOfWork = Depends(get_uow),
) -> TransferRead:
    """Void a declaration no money matched, or a proposed reversal the second officer refuses."""
    transfer, _ = await confirmations.void(uow, transfer_id=transfer_id, by=person(principal.org_id, principal.subject),
                                           reason=body.reason)
    await uow.commit()
    return transfer_read(transfer)
