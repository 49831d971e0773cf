"""Claim routes: submission, the officers' steps, batches and notice, objections, recoveries, reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from xinyidai_shared.auth import CLAIM_READERS, Principal, Role, public, require
from xinyidai_shared.errors import Forbidden, NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.params import STRICT, Offset

from claims.adapters import claims_repo
from claims.domain.claim import ClaimState
from claims.schemas import (
    BatchRead, ClaimCreate, ClaimRead, NoticeStart, ObjectionCreate, ObjectionResolution, RecoveryCreate, ReviewDecision,
)
from claims.service_layer import banks as bank_handlers
from claims.service_layer import claims as handlers
from claims.service_layer import notice

from . import presenters
from .common import bank_scope, deps_of

router = APIRouter(tags=["claims"])
BANK = require(Role.BANK)
OFFICE = require(Role.LEADING_GROUP_OFFICE)  # 领导小组办公室: batches, preliminary review, notices
LEADING_GROUP = require(Role.LEADING_GROUP)  # 领导小组: approval (art.17.2)
VERIFIER = require(Role.FIN_DEV_BUREAU)
READERS = require(Role.BANK, *CLAIM_READERS)


@router.post("/claims", status_code=201, response_model=ClaimRead, responses={200: {"model": ClaimRead}})
async def submit_claim(body: ClaimCreate, request: Request, principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """File a compensation claim for a covered loan classified as loss (art.14, 16); joins the open batch."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        result = await handlers.submit_claim(
            uow, deps_of(request), loan_id=body.loan_id, bank_id=principal.org_id,
            materials=tuple((m.kind, m.ref) for m in body.materials),
            institution_documents=body.institution_documents,
        )
        return 201, presenters.claim(result.claim, result.checks)

    # One live claim per loan is the claim's own rule; a resent filing is replayed by its Idempotency-Key.
    return await guard.write(principal, work, body=body)


def _decision_route(path: str, dependency, handler, summary: str) -> None:  # noqa: ANN001
    async def route(claim_id: str, body: ReviewDecision, request: Request,
                    principal: Principal = Depends(dependency), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
        async def work(uow: UnitOfWork) -> tuple[int, dict]:
            claim = await handler(uow, deps_of(request), claim_id=claim_id, by_org=principal.org_id, by_actor=principal.actor,
                                  decision=body.decision, note=body.note,
                                  reasons=[(r.code, r.text) for r in body.reasons])
            return 200, presenters.claim(claim)

        return await guard.write(principal, work, body=body)

    route.__doc__ = summary
    route.__name__ = path.replace("-", "_")
    router.add_api_route(f"/claims/{{claim_id}}/{path}", route, methods=["POST"], response_model=ClaimRead,
                         summary=summary, description=summary)


_decision_route("preliminary-review", OFFICE, handlers.preliminary_review,
                "Leading-group office preliminary review: pass, doubt (sends to verification) or reject.")
_decision_route("verification", VERIFIER, handlers.verify,
                "Financial development bureau verification of a doubted claim: confirm or reject.")
_decision_route("approval", LEADING_GROUP, handlers.approve, "Leading-group approval: approve for notice or reject.")


@router.get("/claims/{claim_id}", response_model=ClaimRead)
async def read_claim(claim_id: str, request: Request, principal: Principal = Depends(READERS)) -> dict:
    """A claim with its expected compensation, review history and payment times (a bank sees only its own)."""
    async with request.app.state.runtime.db.read_session() as session:
        claim = await claims_repo.get(session, claim_id)
    if claim is None:
        raise NotFound("CLAIM_NOT_FOUND", f"no claim {claim_id}")
    scope = bank_scope(principal)
    if scope is not None and claim.bank_id != scope:
        raise Forbidden("NOT_YOUR_CLAIM", f"claim {claim_id} belongs to another bank")
    return presenters.claim(claim)


@router.get("/claims", response_model=list[ClaimRead])
async def list_claims(request: Request, principal: Principal = Depends(READERS), state: str | None = None,
                      batch_id: str | None = None, limit: Annotated[int, Query(ge=1, le=1000), STRICT] = 100,
                      offset: Offset = 0) -> list[dict]:
    """Claims, newest first, filtered by state or batch (a bank sees only its own)."""
    async with request.app.state.runtime.db.read_session() as session:
        ids = await claims_repo.list_rows(session, bank_id=bank_scope(principal), state=state, batch_id=batch_id,
                                          limit=limit, offset=offset)
        return [presenters.claim(c) for c in await claims_repo.get_many(session, ids)]


@router.get("/batches", response_model=list[BatchRead])
async def list_batches(request: Request, principal: Principal = Depends(require(*CLAIM_READERS))) -> list[dict]:
    """Review batches, newest first."""
    async with request.app.state.runtime.db.read_session() as session:
        return [presenters.batch(b) for b in await claims_repo.batches(session)]


def _batch_route(path: str, summary: str, run) -> None:  # noqa: ANN001
    async def route(batch_id: str, request: Request, principal: Principal = Depends(OFFICE), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
        async def work(uow: UnitOfWork) -> tuple[int, dict]:
            return 200, await run(uow, request, batch_id, principal)

        return await guard.write(principal, work)

    route.__doc__ = summary
    route.__name__ = path.replace("/", "_")
    router.add_api_route(f"/batches/{{batch_id}}/{path}", route, methods=["POST"], response_model=BatchRead,
                         summary=summary, description=summary)


async def _close(uow, request, batch_id, principal) -> dict:  # noqa: ANN001
    return presenters.batch(await notice.close_batch(uow, deps_of(request), batch_id=batch_id))


async def _conclude(uow, request, batch_id, principal) -> dict:  # noqa: ANN001
    batch, approved = await notice.conclude_notice(uow, deps_of(request), batch_id=batch_id, by_org=principal.org_id,
                                                   by_actor=principal.actor)
    return presenters.batch(batch, approved)


_batch_route("close", "Close the batch so its claims can be reviewed together (art.17.1).", _close)


@router.post("/batches/{batch_id}/notice", response_model=BatchRead)
async def start_notice(batch_id: str, request: Request, body: NoticeStart | None = None,
                       principal: Principal = Depends(OFFICE), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Put the batch's approved claims on public notice (art.17.3), from today or a scheduled first day."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        batch = await notice.start_notice(uow, deps_of(request), batch_id=batch_id, by_org=principal.org_id,
                                          by_actor=principal.actor, starts_on=body.starts_on if body else None)
        return 200, presenters.batch(batch)

    return await guard.write(principal, work, body=body)


_batch_route("notice/close", "Conclude the notice: claims without an upheld objection are approved (ClaimApproved).",
             _conclude)


@router.get("/notices", dependencies=[Depends(public)])
async def public_notices(request: Request) -> list[dict]:
    """Public: claims on notice from its first day, with the bank and the proposed compensation (art.17.3)."""
    async with request.app.state.runtime.db.read_session() as session:
        ids = await claims_repo.list_rows(session, bank_id=None, state=ClaimState.ON_NOTICE.value, batch_id=None,
                                          limit=1000, offset=0)
        claims = await claims_repo.get_many(session, ids)
        batches = {b: await claims_repo.get_batch(session, b) for b in {c.batch_id for c in claims}}
    today = deps_of(request).today()
    return [
        {"claim_id": c.claim_id, "bank_id": c.bank_id, "uscc": c.uscc,
         "proposed": presenters.claim(c)["expected"]["expected"],
         "notice_starts_on": batches[c.batch_id].notice_starts_on, "notice_ends_on": batches[c.batch_id].notice_ends_on}
        for c in claims if batches[c.batch_id].notice_started(today)
    ]


@router.post("/claims/{claim_id}/objections", status_code=201, dependencies=[Depends(public)])
async def object_to_claim(claim_id: str, body: ObjectionCreate, request: Request,
                          guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Public: object to a claim while it is on notice."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        objection_id = await notice.file_objection(uow, deps_of(request), claim_id=claim_id, text=body.text,
                                                   contact=body.contact)
        return 201, {"objection_id": objection_id, "claim_id": claim_id, "status": "pending"}

    return await guard.write(None, work, body=body)


@router.post("/objections/{objection_id}/resolution")
async def resolve_objection(objection_id: str, body: ObjectionResolution, request: Request,
                            principal: Principal = Depends(OFFICE), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Uphold (rejects the claim) or dismiss an objection."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        result = await notice.resolve_objection(uow, deps_of(request), objection_id=objection_id,
                                                by_org=principal.org_id, decision=body.decision, note=body.note)
        return 200, {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in result.items()}

    return await guard.write(principal, work, body=body)


@router.post("/claims/{claim_id}/recoveries", status_code=201)
async def report_recovery(claim_id: str, body: RecoveryCreate, request: Request,
                          principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Report amounts recovered and costs on a compensated loan (RecoveryReported), once per bank_ref."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        values = await bank_handlers.report_recovery(
            uow, deps_of(request), claim_id=claim_id, bank_id=principal.org_id, bank_ref=body.bank_ref,
            recovered_fen=body.recovered, costs_fen=body.costs, reported_on=body.reported_on,
        )
        out = {"recovery_id": values["recovery_id"], "claim_id": claim_id, "bank_ref": body.bank_ref,
               "recovered": body.model_dump(mode="json")["recovered"], "costs": body.model_dump(mode="json")["costs"],
               "reported_on": body.reported_on.isoformat()}
        return 201, out

    # The bank's reference names one recovery across its claims: the same reference on another claim is a
    # reused key (the path is part of the fingerprint), never a replay.
    return await guard.write(principal, work, natural_key=body.bank_ref, body=body)
