"""Bank routes: admission, institution documents, products, interest income, clawback."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from xinyidai_shared.auth import BANK_ADMITTERS, CLAIM_READERS, Principal, Role, public, require
from xinyidai_shared.errors import NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.maker_checker import person
from xinyidai_shared.money import format_fen
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import banks_repo
from claims.schemas import (
    BankCreate, BankRead, ClawbackConfirmation, ClawbackCreate, ClawbackProposalRead, ClawbackRejection, DocumentsFile,
    InterestIncomeCreate, ProductCreate, ProductRead,
)
from claims.service_layer import banks as handlers

from . import presenters
from .common import deps_of, own_bank

router = APIRouter(tags=["banks"])
ADMITTERS = require(*BANK_ADMITTERS)
BANK = require(Role.BANK)


@router.post("/banks", status_code=201, response_model=BankRead, responses={200: {"model": BankRead}})
async def admit_bank(body: BankCreate, request: Request, principal: Principal = Depends(ADMITTERS), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Admit a bank to the scheme (joined on a date, under an agreement); idempotent by bank id."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        bank = await handlers.admit_bank(uow, deps_of(request), bank_id=body.bank_id, name=body.name,
                                         admitted_on=body.admitted_on, agreement_ref=body.agreement_ref,
                                         documents=body.documents)
        return 201, presenters.bank(bank)

    return await guard.write(principal, work, natural_key=body.bank_id, body=body)


@router.get("/banks", dependencies=[Depends(public)])
async def list_banks(request: Request) -> list[dict]:
    """Public: admitted banks and how many products each publishes (Plan 4.2.3 asks for at least one)."""
    async with request.app.state.runtime.db.read_session() as session:
        rows = await banks_repo.list_rows(session)
        products = await banks_repo.products(session)
    counts: dict[str, int] = {}
    for p in products:
        counts[p.bank_id] = counts.get(p.bank_id, 0) + 1
    return [{"bank_id": r["bank_id"], "name": r["name"], "admitted_on": r["admitted_on"].isoformat(),
             "products": counts.get(r["bank_id"], 0), "may_claim": r["clawed_back_at"] is None} for r in rows]


@router.get("/banks/{bank_id}", response_model=BankRead)
async def read_bank(bank_id: str, request: Request, principal: Principal = Depends(require(Role.BANK, *CLAIM_READERS))) -> dict:
    """A bank with its documents on file (a bank sees only itself)."""
    own_bank(principal, bank_id)
    async with request.app.state.runtime.db.read_session() as session:
        bank = await banks_repo.get(session, bank_id)
    if bank is None:
        raise NotFound("BANK_NOT_FOUND", f"no bank {bank_id}")
    return presenters.bank(bank)


@router.post("/banks/{bank_id}/documents", response_model=BankRead)
async def file_documents(bank_id: str, body: DocumentsFile, request: Request,
                         principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """File institution documents by kind (art.16.1); filing the same again changes nothing."""
    own_bank(principal, bank_id)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        bank = await handlers.file_documents(uow, deps_of(request), bank_id=bank_id, documents=body.documents)
        return 200, presenters.bank(bank)

    return await guard.write(principal, work, body=body)


@router.post("/banks/{bank_id}/products", status_code=201, response_model=ProductRead)
async def publish_product(bank_id: str, body: ProductCreate, request: Request,
                          principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Publish a loan product (Plan 4.2.3); idempotent by product name."""
    own_bank(principal, bank_id)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        product = await handlers.publish_product(
            uow, deps_of(request), bank_id=bank_id, name=body.name, description=body.description,
            max_amount_fen=body.max_amount, max_term_months=body.max_term_months)
        return 201, presenters.product(product)

    return await guard.write(principal, work, natural_key=body.name, body=body)


@router.get("/products", response_model=list[ProductRead], dependencies=[Depends(public)])
async def list_products(request: Request, bank_id: str | None = None) -> list[dict]:
    """Public: every published loan product."""
    async with request.app.state.runtime.db.read_session() as session:
        return [presenters.product(p) for p in await banks_repo.products(session, bank_id)]


@router.post("/banks/{bank_id}/interest-income", status_code=201)
async def report_interest_income(bank_id: str, body: InterestIncomeCreate, request: Request,
                                 principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Report a year's interest income from these loans (InterestIncomeReported), once per year."""
    own_bank(principal, bank_id)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        values = await handlers.report_interest_income(
            uow, deps_of(request), bank_id=bank_id, year=body.year, interest_income_fen=body.interest_income)
        return 201, {"report_id": values["report_id"], "bank_id": bank_id, "year": body.year,
                     "interest_income": format_fen(values["interest_income_fen"])}

    return await guard.write(principal, work, natural_key=str(body.year), body=body)


FINANCE = require(Role.FINANCE_BUREAU)


def _proposal(proposal) -> dict:  # noqa: ANN001 - a ClawbackProposal
    return ClawbackProposalRead(**proposal.__dict__).model_dump(mode="json")


@router.post("/banks/{bank_id}/clawback", status_code=201, response_model=ClawbackProposalRead)
async def propose_clawback(bank_id: str, body: ClawbackCreate, request: Request,
                           principal: Principal = Depends(FINANCE), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Finance bureau (art.19): propose clawing back all compensation; a second officer must confirm it."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        proposal = await handlers.propose_clawback(uow, deps_of(request), bank_id=bank_id, reason=body.reason,
                                                   by=person(principal.org_id, principal.subject))
        return 201, _proposal(proposal)

    return await guard.write(principal, work, body=body)


@router.post("/banks/{bank_id}/clawback/confirmation", status_code=201, response_model=BankRead)
async def confirm_clawback(bank_id: str, body: ClawbackConfirmation, request: Request,
                           principal: Principal = Depends(FINANCE), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """A second finance-bureau officer orders the proposed clawback; the bank can no longer claim (ClawbackOrdered)."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        bank = await handlers.confirm_clawback(uow, deps_of(request), bank_id=bank_id,
                                               by=person(principal.org_id, principal.subject))
        return 201, presenters.bank(bank)

    return await guard.write(principal, work, body=body)


@router.post("/banks/{bank_id}/clawback/rejection", response_model=ClawbackProposalRead)
async def reject_clawback(bank_id: str, body: ClawbackRejection, request: Request,
                          principal: Principal = Depends(FINANCE), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Another finance-bureau officer declines the proposed clawback, with the reason."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        proposal = await handlers.reject_clawback(uow, deps_of(request), bank_id=bank_id,
                                                  by=person(principal.org_id, principal.subject), note=body.reason)
        return 200, _proposal(proposal)

    return await guard.write(principal, work, body=body)


@router.get("/banks/{bank_id}/clawback", response_model=list[ClawbackProposalRead])
async def list_clawback_proposals(bank_id: str, request: Request,
                                  principal: Principal = Depends(require(*CLAIM_READERS))) -> list[dict]:
    """Clawback proposals on a bank and what became of them (officers)."""
    async with request.app.state.runtime.db.read_session() as session:
        return [_proposal(p) for p in await banks_repo.clawback_proposals(session, bank_id)]
