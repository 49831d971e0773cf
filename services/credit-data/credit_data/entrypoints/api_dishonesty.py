"""Dishonesty endpoints: departments record and repair; the public list for joint punishment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from xinyidai_shared.auth import CREDIT_FILE_READERS, CREDIT_RECORDERS, Principal, Role, require
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters import dishonesty_repo
from ..domain.dishonesty import DishonestyTerms
from ..schemas import DishonestyIn, DishonestyRead, RepairIn
from ..service_layer.dishonesty import record_dishonesty, repair

router = APIRouter(prefix="/v1", tags=["dishonesty"])
recorders = require(*CREDIT_RECORDERS)


@router.post("/dishonesty-records", response_model=DishonestyRead, status_code=201)
async def create_record(
    body: DishonestyIn, principal: Principal = Depends(recorders), guard: Idempotency = Depends(idempotency)
) -> JSONResponse:
    """Record a dishonesty (失信) finding once per reference; the same request again replays the first answer."""
    validate_uscc(body.uscc)
    terms = DishonestyTerms(body.reason, body.started_on, body.expires_on)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        row, created = await record_dishonesty(
            uow, record_id=f"{principal.org_id}:{body.reference}", uscc=body.uscc, recorded_by=principal.org_id,
            kind="department", terms=terms, now=utcnow(),
        )  # fmt: skip
        return (201 if created else 200), DishonestyRead.model_validate(row._mapping).model_dump(mode="json")

    return await guard.write(principal, work, natural_key=body.reference, body=body)


@router.post("/dishonesty-records/{record_id}/repair", response_model=DishonestyRead)
async def repair_record(
    record_id: str, body: RepairIn, principal: Principal = Depends(recorders), uow: UnitOfWork = Depends(get_uow)
) -> Any:
    """Credit repair: end a record early (its recorder or the credit office); publishes DishonestyRemoved."""
    row = await repair(
        uow, record_id=record_id, by=principal.org_id, may_repair_any=principal.role is Role.CREDIT_OFFICE,
        repaired_on=body.repaired_on, reason=body.reason, now=utcnow(),
    )  # fmt: skip
    await uow.commit()
    return DishonestyRead.model_validate(row._mapping)


@router.get("/enterprises/{uscc}/dishonesty-records", response_model=list[DishonestyRead])
async def enterprise_records(
    uscc: str, request: Request, _: Principal = Depends(require(*CREDIT_FILE_READERS, Role.SERVICE))
) -> Any:
    """Every dishonesty record of one enterprise, ended ones included."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return [DishonestyRead.model_validate(r._mapping) for r in await dishonesty_repo.of_enterprise(session, uscc)]


@router.get("/public/dishonesty-records", response_model=list[DishonestyRead], tags=["public"])
async def public_list(request: Request) -> Any:
    """Public: the dishonesty records in force today (joint punishment list, Plan 4.1.6); no credential needed."""
    async with get_runtime(request).db.read_session() as session:
        return [DishonestyRead.model_validate(r._mapping) for r in await dishonesty_repo.in_force(session, today_shanghai())]
