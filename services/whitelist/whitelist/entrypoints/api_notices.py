"""Public notices (公示) and objections: public reading and filing, office decisions."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.errors import Invalid
from xinyidai_shared.ratelimit import hit
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import get_runtime, get_uow, read_limited

from ..adapters import repository as repo
from ..adapters.tables import ObjectionRow
from ..config import Settings
from ..schemas import ObjectionCreate, ObjectionDecision, ObjectionRead, ObjectionReceipt, PublicNotice
from ..service_layer import objections as handlers
from .deps import actor_of, now_of, objection_limit, settings_of

router = APIRouter(tags=["public notices"])


def _read(row: ObjectionRow) -> ObjectionRead:
    return ObjectionRead(id=row.id, application_id=row.application_id, status=row.status, received_at=row.received_at,
                         text=row.text, contact=row.contact, decided_by=row.decided_by,
                         decision_reason=row.decision_reason, decided_at=row.decided_at)


@router.get("/public/notices", response_model=list[PublicNotice])
async def current_notices(runtime=Depends(get_runtime)) -> list[PublicNotice]:  # noqa: ANN001
    """Applications under public notice now (public, no credential)."""
    async with runtime.db.read_session() as session:
        rows = await repo.in_notice(session)
    return [
        PublicNotice(application_id=r.id, uscc=r.uscc, name=r.name, legal_representative=r.legal_representative,
                     industry_code=r.industry_code, sme_size=r.sme_size, starts_on=r.notice_starts_on,
                     ends_on=r.notice_ends_on, working_days=r.notice_working_days,
                     objection_path=f"/v1/public/notices/{r.id}/objections")
        for r in rows
    ]


@router.post("/public/notices/{application_id}/objections", status_code=201, response_model=ObjectionReceipt)
async def file_objection(
    application_id: str,
    request: Request,
    settings: Settings = Depends(settings_of),
    now: datetime = Depends(now_of),
) -> ObjectionReceipt:
    """Object to an enterprise under notice (public; limited per address and in size)."""
    # The body is read and checked before the unit of work opens: a public caller sending slowly must
    # never hold the database's writer gate.
    await hit(request, objection_limit(settings))
    raw = await read_limited(request, settings.objection_max_body_bytes, code="OBJECTION_TOO_LARGE", what="an objection")
    try:
        body = ObjectionCreate.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()]
        raise Invalid("VALIDATION_FAILED", "the objection does not match the schema", errors=errors) from exc
    async with request.app.state.runtime.uow() as uow:
        row = await handlers.file_objection(uow, application_id, text=body.text, contact=body.contact, now=now)
        answer = ObjectionReceipt(id=row.id, application_id=row.application_id, status=row.status,
                                  received_at=row.received_at)
        await uow.commit()
    return answer


@router.get("/applications/{application_id}/objections", response_model=list[ObjectionRead])
async def list_objections(
    application_id: str, _: Principal = Depends(require(*CREDIT_FILE_READERS)), runtime=Depends(get_runtime)  # noqa: ANN001
) -> list[ObjectionRead]:
    """Every objection to an application, with its decision (officers)."""
    async with runtime.db.read_session() as session:
        await repo.application(session, application_id)
        return [_read(r) for r in await repo.objections(session, application_id)]


@router.post("/objections/{objection_id}/decision", response_model=ObjectionRead)
async def decide_objection(
    objection_id: str,
    body: ObjectionDecision,
    principal: Principal = Depends(require(Role.LEADING_GROUP_OFFICE)),
    uow: UnitOfWork = Depends(get_uow),
    now: datetime = Depends(now_of),
) -> ObjectionRead:
    """Uphold (the application is rejected) or dismiss an objection (leading-group office)."""
    row = await handlers.decide(uow, objection_id, uphold=body.uphold, reason=body.reason,
                                actor=actor_of(principal), now=now)
    answer = _read(row)
    await uow.commit()
    return answer
