"""Loan routes: registration from core systems, status reports, reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from xinyidai_shared.auth import CLAIM_READERS, Principal, Role, require
from xinyidai_shared.errors import Forbidden, NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.params import STRICT, Offset

from claims.adapters import loans_repo
from claims.schemas import (
    ClassificationCreate, LoanCreate, LoanRead, MaliciousDefaultCreate, OverdueCreate, RepaymentCreate,
    SettlementCreate,
)
from claims.service_layer import loans as handlers

from . import presenters
from .common import bank_scope, deps_of

router = APIRouter(tags=["loans"])
BANK = require(Role.BANK)
READERS = require(Role.BANK, *CLAIM_READERS)


@router.post("/loans", status_code=201, response_model=LoanRead, responses={200: {"model": LoanRead}})
async def register_loan(body: LoanCreate, request: Request, principal: Principal = Depends(BANK),
                        guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Register a loan from the bank's core system (idempotent by the bank's loan number)."""
    application = body.to_application()

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        result = await handlers.register_loan(uow, deps_of(request), bank_id=principal.org_id,
                                              application=application)
        return 201, presenters.loan(result)

    return await guard.write(principal, work, natural_key=body.bank_loan_no, body=body)


def _status_route(path: str, model: type, handler_name: str, summary: str):  # noqa: ANN202 - route factory
    handler = getattr(handlers, handler_name)

    async def route(loan_id: str, body: model, request: Request,  # type: ignore[valid-type]
                    principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
        async def work(uow: UnitOfWork) -> tuple[int, dict]:
            values = {name: getattr(body, name) for name in type(body).model_fields}
            for money in ("amount", "overdue_principal"):
                if money in values:
                    values[f"{money}_fen"] = values.pop(money)
            if "repayment_ref" in values:
                values["ref"] = values.pop("repayment_ref")
            loan = await handler(uow, deps_of(request), loan_id=loan_id, bank_id=principal.org_id, **values)
            return 200, presenters.loan(loan)

        # A repayment is known by the bank's own reference on that loan; other reports by their key only.
        ref = getattr(body, "repayment_ref", None)
        return await guard.write(principal, work, natural_key=None if ref is None else f"{loan_id}/{ref}", body=body)

    route.__doc__ = summary
    route.__name__ = handler_name
    route.__annotations__["body"] = model  # the closure's model, which a string annotation cannot name
    router.add_api_route(f"/loans/{{loan_id}}/{path}", route, methods=["POST"], response_model=LoanRead,
                         summary=summary, description=summary)


_status_route("repayments", RepaymentCreate, "report_repayment", "Report a principal repayment (once per repayment_ref).")
_status_route("overdue", OverdueCreate, "report_overdue", "Report days past due as of a date (LoanOverdue).")
_status_route("classification", ClassificationCreate, "report_classification",
              "Report the five-category classification (LoanClassifiedAsLoss on loss).")
_status_route("settlement", SettlementCreate, "report_settled", "Report the loan settled.")
_status_route("malicious-default", MaliciousDefaultCreate, "report_malicious_default",
              "Report a malicious default (LoanDefaultedMaliciously).")


async def _readable(request: Request, loan_id: str, principal: Principal):  # noqa: ANN202
    async with request.app.state.runtime.db.read_session() as session:
        loan = await loans_repo.get(session, loan_id)
        if loan is None:
            raise NotFound("LOAN_NOT_FOUND", f"no loan {loan_id}")
        scope = bank_scope(principal)
        if scope is not None and loan.bank_id != scope:
            raise Forbidden("NOT_YOUR_LOAN", f"loan {loan_id} belongs to another bank")
        return loan, await loans_repo.history(session, loan_id)


@router.get("/loans/{loan_id}", response_model=LoanRead)
async def read_loan(loan_id: str, request: Request, principal: Principal = Depends(READERS)) -> dict:
    """A loan with its eligibility verdict and current status (a bank sees only its own)."""
    loan, _ = await _readable(request, loan_id, principal)
    return presenters.loan(loan)


@router.get("/loans/{loan_id}/history")
async def loan_history(loan_id: str, request: Request, principal: Principal = Depends(READERS)) -> list[dict]:
    """The loan's status reports as received."""
    _, history = await _readable(request, loan_id, principal)
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if k != "seq"} for row in history]


@router.get("/loans", response_model=list[LoanRead])
async def list_loans(request: Request, principal: Principal = Depends(READERS),
                     limit: Annotated[int, Query(ge=1, le=1000), STRICT] = 100, offset: Offset = 0) -> list[dict]:
    """Loans, newest first (a bank sees only its own)."""
    async with request.app.state.runtime.db.read_session() as session:
        loans = await loans_repo.list_for_bank(session, bank_scope(principal), limit=limit, offset=offset)
    return [presenters.loan(ln) for ln in loans]
