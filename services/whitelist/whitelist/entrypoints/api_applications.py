"""Applications: apply, upload materials, and the officers' workflow steps."""

from __future__ import annotations

from typing import Annotated

from datetime import datetime

import orjson
from fastapi import APIRouter, Depends, File, Header, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from xinyidai_shared.auth import APPLICATION_REVIEWERS, CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.errors import NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import get_runtime, get_uow
from xinyidai_shared.params import STRICT, Offset

from ..adapters import repository as repo
from ..adapters.tables import ApplicationRow
from ..config import Settings
from ..domain.workflow import Step
from ..schemas import (
    ApplicationCreate,
    ApplicationCreated,
    ApplicationRead,
    ApplicationSummary,
    MaterialRead,
    RejectRequest,
    ScreenRequest,
    StepRequest,
)
from ..service_layer import applications as handlers
from ..service_layer.applications import Actor
from .deps import actor_of, applicant_or, application_view, now_of, public_apply_limit, settings_of

router = APIRouter(prefix="/applications", tags=["applications"])
PUBLIC = Actor("public", "public")


@router.post("", status_code=201, response_model=ApplicationCreated)
async def apply(
    body: ApplicationCreate,
    principal: Principal | None = Depends(applicant_or(Role.DEPARTMENT, Role.ENTERPRISE, public_limit=public_apply_limit)),
    guard: Idempotency = Depends(idempotency),
    settings: Settings = Depends(settings_of),
    now: datetime = Depends(now_of),
) -> JSONResponse:
    """Apply for the recommended list: the public, the enterprise itself (its own USCC), or a department for it."""
    actor = actor_of(principal) if principal is not None else PUBLIC
    command = handlers.Apply(uscc=body.uscc, name=body.name, legal_representative=body.legal_representative,
                             industry_code=body.industry_code, employees=body.employees,
                             revenue_fen=body.revenue, assets_fen=body.total_assets)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        row, token = await handlers.apply(uow, command, actor=actor, settings=settings, now=now)
        view = await application_view(uow.session, row)
        return 201, ApplicationCreated(**dict(view), applicant_token=token).model_dump(mode="json")

    answer = await guard.write(principal, work, body=body)
    if answer.status_code == 201:
        answer.headers["Location"] = f"/v1/applications/{orjson.loads(answer.body)['id']}"
    return answer


@router.get("", response_model=list[ApplicationSummary])
async def list_applications(
    status: str | None = Query(default=None, max_length=20),
    uscc: str | None = Query(default=None, max_length=18),
    limit: Annotated[int, Query(ge=1, le=500), STRICT] = 100,
    offset: Offset = 0,
    _: Principal = Depends(require(*CREDIT_FILE_READERS)),
    runtime=Depends(get_runtime),  # noqa: ANN001
) -> list[ApplicationSummary]:
    """Applications, newest first, optionally by status or enterprise (officers)."""
    async with runtime.db.read_session() as session:
        rows = await repo.applications(session, status=status, uscc=uscc, limit=limit, offset=offset)
    return [ApplicationSummary(id=r.id, uscc=r.uscc, name=r.name, status=r.status, sme_size=r.sme_size,
                               flags=[f for f in r.flags.split(",") if f], updated_at=r.updated_at) for r in rows]


@router.get("/{application_id}", response_model=ApplicationRead)
async def get_application(
    application_id: str,
    principal: Principal | None = Depends(applicant_or(*CREDIT_FILE_READERS, Role.ENTERPRISE)),
    applicant_token: str | None = Header(default=None, alias="X-Applicant-Token"),
    runtime=Depends(get_runtime),  # noqa: ANN001
) -> ApplicationRead:
    """One application with its materials, credit verdict and every transition (officers, its applicant, the enterprise)."""
    async with runtime.db.read_session() as session:
        row = await repo.application(session, application_id)
        _check_caller(row, principal, applicant_token)
        return await application_view(session, row)


@router.put("/{application_id}/materials/{kind}", response_model=MaterialRead)
async def upload_material(
    application_id: str,
    kind: str,
    file: UploadFile = File(...),
    principal: Principal | None = Depends(applicant_or(Role.DEPARTMENT, Role.ENTERPRISE)),
    applicant_token: str | None = Header(default=None, alias="X-Applicant-Token"),
    uow: UnitOfWork = Depends(get_uow),
    settings: Settings = Depends(settings_of),
    now: datetime = Depends(now_of),
) -> MaterialRead:
    """Upload one art.10 material (PDF, JPEG or PNG); the same kind again replaces it before screening."""
    if principal is None or principal.role is Role.ENTERPRISE:
        _check_caller(await repo.application(uow.session, application_id), principal, applicant_token)
    # Read one byte past the limit: enough to refuse an oversized file without holding all of it.
    content = await file.read(settings.material_max_bytes + 1)
    actor = actor_of(principal) if principal is not None else PUBLIC
    row = await handlers.upload_material(
        uow, application_id, kind, filename=file.filename or kind, declared_type=file.content_type,
        content=content, actor=actor, settings=settings, now=now,
    )
    answer = MaterialRead(kind=row.kind, filename=row.filename, content_type=row.content_type,
                          size_bytes=row.size_bytes, sha256=row.sha256, uploaded_by=row.uploaded_by,
                          uploaded_at=row.uploaded_at)
    await uow.commit()
    return answer


@router.get("/{application_id}/materials/{kind}")
async def download_material(
    application_id: str, kind: str, _: Principal = Depends(require(*CREDIT_FILE_READERS)), runtime=Depends(get_runtime)  # noqa: ANN001
) -> Response:
    """The uploaded file itself, with its SHA-256 in a header (officers)."""
    async with runtime.db.read_session() as session:
        row = await repo.material(session, application_id, kind)
    if row is None:
        raise NotFound("MATERIAL_NOT_FOUND", f"application {application_id} has no {kind} material")
    return Response(row.content, media_type=row.content_type,
                    headers={"X-Content-SHA256": row.sha256, "Content-Disposition": f'attachment; filename="{kind}"'})


def _check_caller(row: ApplicationRow, principal: Principal | None, applicant_token: str | None) -> None:
    """The public needs the application's token; an enterprise reaches only applications under its USCC."""
    if principal is None:
        handlers.check_applicant(row, applicant_token)
    elif principal.role is Role.ENTERPRISE:
        handlers.check_enterprise(row, principal.org_id)


async def _step(
    uow: UnitOfWork, application_id: str, step: Step, principal: Principal, reason: str | None,
    settings: Settings, now: datetime, override: bool = False, accept_flags: tuple[str, ...] = (),
) -> ApplicationRead:
    row = await handlers.take_step(uow, application_id, step, actor=actor_of(principal), reason=reason,
                                   settings=settings, now=now, override=override, accept_flags=accept_flags)
    view = await application_view(uow.session, row)
    await uow.commit()
    return view


@router.post("/{application_id}/screen", response_model=ApplicationRead)
async def screen(
    application_id: str, body: ScreenRequest, principal: Principal = Depends(require(Role.DEPARTMENT)),
    uow: UnitOfWork = Depends(get_uow), settings: Settings = Depends(settings_of), now: datetime = Depends(now_of),
) -> ApplicationRead:
    """Department screening: passes a complete application on; each flag raised must be accepted with a reason."""
    return await _step(uow, application_id, Step.SCREEN, principal, body.reason, settings, now,
                       accept_flags=tuple(body.accept_flags))


@router.post("/{application_id}/credit-check", response_model=ApplicationRead)
async def credit_check(
    application_id: str, body: StepRequest, principal: Principal = Depends(require(Role.CREDIT_OFFICE)),
    uow: UnitOfWork = Depends(get_uow), settings: Settings = Depends(settings_of), now: datetime = Depends(now_of),
) -> ApplicationRead:
    """Credit office check (发改局信用核查) against the pre-filled verdict; overriding it needs a reason."""
    return await _step(uow, application_id, Step.CREDIT_CHECK, principal, body.reason, settings, now, body.override)


@router.post("/{application_id}/review", response_model=ApplicationRead)
async def review(
    application_id: str, body: StepRequest, principal: Principal = Depends(require(Role.LEADING_GROUP_OFFICE)),
    uow: UnitOfWork = Depends(get_uow), settings: Settings = Depends(settings_of), now: datetime = Depends(now_of),
) -> ApplicationRead:
    """Leading-group office review; the public notice opens at once for the configured working days."""
    return await _step(uow, application_id, Step.REVIEW, principal, body.reason, settings, now)


@router.post("/{application_id}/conclude", response_model=ApplicationRead)
async def conclude(
    application_id: str, body: StepRequest, principal: Principal = Depends(require(Role.LEADING_GROUP_OFFICE)),
    uow: UnitOfWork = Depends(get_uow), settings: Settings = Depends(settings_of), now: datetime = Depends(now_of),
) -> ApplicationRead:
    """Close a finished notice with no pending objection: the enterprise is recommended and listed."""
    return await _step(uow, application_id, Step.CONCLUDE_NOTICE, principal, body.reason, settings, now)


@router.post("/{application_id}/reject", response_model=ApplicationRead)
async def reject(
    application_id: str, body: RejectRequest,
    principal: Principal = Depends(require(*APPLICATION_REVIEWERS)),
    uow: UnitOfWork = Depends(get_uow), settings: Settings = Depends(settings_of), now: datetime = Depends(now_of),
) -> ApplicationRead:
    """Reject with reasons, by the role whose step the application waits for."""
    return await _step(uow, application_id, Step.REJECT, principal, body.reason, settings, now)
