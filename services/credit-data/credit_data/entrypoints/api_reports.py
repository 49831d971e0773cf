"""Credit report endpoints: JSON and Chinese PDF, authorisations for banks, the query log."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from xinyidai_shared.auth import CREDIT_FILE_READERS, CREDIT_QUERY_LOG_READERS, Principal, Role, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Invalid
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow
from xinyidai_shared.params import STRICT

from ..adapters import consent_repo
from ..adapters.pdf import render_pdf
from ..schemas import AuthorisationIn, AuthorisationRead, QueryRead
from ..service_layer.reports import build_report, check_access, grant, log_query, revoke

router = APIRouter(prefix="/v1", tags=["credit reports"])
report_readers = require(Role.BANK, *CREDIT_FILE_READERS, Role.SERVICE)
REF_HELP = "the enterprise's authorisation reference (required for banks)"


async def _report(request: Request, principal: Principal, uscc: str, ref: str | None, purpose: str, fmt: str) -> dict[str, Any]:
    """Check access, build the report and log the query in one short transaction (PDF rendering comes after)."""
    validate_uscc(uscc)
    now = utcnow()
    async with get_runtime(request).uow() as uow:
        await check_access(uow, principal, uscc, ref, purpose, now=now)
        report = await build_report(uow, uscc, now=now)
        await log_query(uow, principal, uscc, ref, purpose, fmt, now=now)
        await uow.commit()
    return report


@router.get("/enterprises/{uscc}/credit-report")
async def get_report(
    uscc: str,
    request: Request,
    purpose: str = Query(min_length=1, max_length=200),
    authorisation_ref: str | None = Query(None, description=REF_HELP),
    principal: Principal = Depends(report_readers),
) -> dict[str, Any]:
    """The credit report as JSON; banks need the enterprise's authorisation; every read is logged."""
    return await _report(request, principal, uscc, authorisation_ref, purpose, "json")


@router.get("/enterprises/{uscc}/credit-report.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def get_report_pdf(
    uscc: str,
    request: Request,
    purpose: str = Query(min_length=1, max_length=200),
    authorisation_ref: str | None = Query(None, description=REF_HELP),
    principal: Principal = Depends(report_readers),
) -> Response:
    """The credit report as a PDF in Chinese (embedded Noto CJK font); same rules and logging as JSON."""
    report = await _report(request, principal, uscc, authorisation_ref, purpose, "pdf")
    pdf = await asyncio.to_thread(render_pdf, report, request.app.state.runtime.settings.cjk_font_path)
    headers = {"Content-Disposition": f'inline; filename="credit-report-{uscc}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/enterprises/{uscc}/authorisations", status_code=201, response_model=AuthorisationRead)
async def grant_authorisation(
    uscc: str, body: AuthorisationIn, response: Response,
    principal: Principal = Depends(require(Role.CREDIT_OFFICE)), uow: UnitOfWork = Depends(get_uow),
) -> Any:  # fmt: skip
    """Register the enterprise's signed consent for one bank (same terms again: the same reference, 200)."""
    validate_uscc(uscc)
    row, created = await grant(uow, uscc=uscc, bank_id=body.bank_id, purpose=body.purpose, valid_until=body.valid_until, by=principal.org_id)
    await uow.commit()
    response.status_code = 201 if created else 200
    return AuthorisationRead.model_validate(row)


@router.post("/authorisations/{ref}/revoke", response_model=AuthorisationRead)
async def revoke_authorisation(
    ref: str, _: Principal = Depends(require(Role.CREDIT_OFFICE)), uow: UnitOfWork = Depends(get_uow)
) -> Any:
    """Withdraw an authorisation at the enterprise's request; banks can no longer use it (here or in claims)."""
    row = await revoke(uow, ref, now=utcnow())
    await uow.commit()
    return AuthorisationRead.model_validate(row)


@router.get("/enterprises/{uscc}/credit-queries", response_model=list[QueryRead])
async def enterprise_queries(
    uscc: str, request: Request, _: Principal = Depends(require(*CREDIT_QUERY_LOG_READERS))
) -> Any:
    """Who looked at this enterprise's report, when and why (the enterprise's view, served by the office)."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return [QueryRead.model_validate(r._mapping) for r in await consent_repo.queries_of(session, uscc)]


@router.get("/credit-queries")
async def all_queries(
    request: Request,
    org_id: str | None = Query(None),
    since: datetime | None = Query(None),
    limit: Annotated[int, Query(ge=1, le=2000), STRICT] = 200,
    _: Principal = Depends(require(*CREDIT_QUERY_LOG_READERS)),
) -> list[dict[str, Any]]:
    """The credit office's view of every report query, newest first, optionally for one organisation."""
    if since is not None and since.tzinfo is None:
        raise Invalid("INSTANT_NAIVE", "since must carry a time zone", field="since")
    async with get_runtime(request).db.read_session() as session:
        rows = await consent_repo.queries(session, org_id=org_id, since=since, limit=limit)
    return [QueryRead.model_validate(r._mapping).model_dump(mode="json") | {"uscc": r.uscc} for r in rows]
