"""Malicious-default reports: the credit office's review queue, the reporting bank's view, the enterprise's disputes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import NotFound
from xinyidai_shared.params import STRICT, Offset
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters import default_reports_repo as repo
from ..schemas import DefaultReportRead, DisputeDecisionIn, DisputeIn, DisputeRead, ReviewIn
from ..service_layer import default_reports as reports

router = APIRouter(prefix="/v1", tags=["malicious-default reports"])
readers = require(Role.BANK, *CREDIT_FILE_READERS)
office = require(Role.CREDIT_OFFICE)
enterprise_only = require(Role.ENTERPRISE)


async def _views(session: Any, rows: list[Any]) -> list[DefaultReportRead]:
    disputes = await repo.disputes_of(session, [row.report_id for row in rows])
    return [
        DefaultReportRead.model_validate({**row._mapping, "outstanding": row.outstanding_fen,
                                          "disputes": [DisputeRead.model_validate(d._mapping) for d in disputes[row.report_id]]})
        for row in rows
    ]


@router.get("/default-reports", response_model=list[DefaultReportRead])
async def list_reports(
    request: Request,
    status: str | None = Query(None, max_length=12, description="pending (the review queue), confirmed, rejected, annulled"),
    uscc: str | None = Query(None, max_length=18),
    limit: Annotated[int, Query(ge=1, le=500), STRICT] = 100,
    offset: Offset = 0,
    principal: Principal = Depends(readers),
) -> Any:
    """Malicious-default reports, oldest first (officers; a bank sees only its own reports)."""
    bank = principal.bank_id if principal.role is Role.BANK else None
    async with get_runtime(request).db.read_session() as session:
        rows = await repo.reports(session, status=status, bank_id=bank, uscc=uscc, limit=limit, offset=offset)
        return await _views(session, rows)


@router.get("/default-reports/{report_id}", response_model=DefaultReportRead)
async def read_report(report_id: str, request: Request, principal: Principal = Depends(readers)) -> Any:
    """One report with its disputes (officers; a bank only its own)."""
    async with get_runtime(request).db.read_session() as session:
        row = await repo.report(session, report_id)
        if principal.role is Role.BANK and row.bank_id != principal.bank_id:
            raise NotFound("REPORT_NOT_FOUND", f"no malicious-default report {report_id}")
        return (await _views(session, [row]))[0]


async def _review(uow: UnitOfWork, report_id: str, principal: Principal, reason: str, *, confirm: bool) -> Any:
    decide = reports.confirm if confirm else reports.reject
    row = await decide(uow, report_id, officer=principal.org_id, actor=principal.actor, reason=reason, now=utcnow())
    view = (await _views(uow.session, [row]))[0]
    await uow.commit()
    return view


@router.post("/default-reports/{report_id}/confirm", response_model=DefaultReportRead)
async def confirm_report(report_id: str, body: ReviewIn, principal: Principal = Depends(office),
                         uow: UnitOfWork = Depends(get_uow)) -> Any:
    """Credit office: the report is borne out; the dishonesty record is public from today for five years."""
    return await _review(uow, report_id, principal, body.reason, confirm=True)


@router.post("/default-reports/{report_id}/reject", response_model=DefaultReportRead)
async def reject_report(report_id: str, body: ReviewIn, principal: Principal = Depends(office),
                        uow: UnitOfWork = Depends(get_uow)) -> Any:
    """Credit office: the report is not borne out; nothing becomes public."""
    return await _review(uow, report_id, principal, body.reason, confirm=False)


@router.post("/default-report-disputes/{dispute_id}/decision", response_model=DisputeRead)
async def decide_dispute(dispute_id: str, body: DisputeDecisionIn, principal: Principal = Depends(office),
                         uow: UnitOfWork = Depends(get_uow)) -> Any:
    """Credit office: uphold (rejects a pending report, annuls a confirmed record) or dismiss a dispute."""
    row = await reports.decide_dispute(uow, dispute_id, officer=principal.org_id, actor=principal.actor,
                                       uphold=body.uphold, reason=body.reason, now=utcnow())
    view = DisputeRead.model_validate(row._mapping)
    await uow.commit()
    return view


@router.get("/self/default-reports", response_model=list[DefaultReportRead])
async def own_reports(request: Request, principal: Principal = Depends(enterprise_only)) -> Any:
    """The enterprise's own view: every malicious-default report about it, whatever its state, with disputes."""
    uscc = validate_uscc(principal.org_id)
    async with get_runtime(request).db.read_session() as session:
        rows = await repo.reports(session, status=None, bank_id=None, uscc=uscc, limit=500, offset=0)
        return await _views(session, rows)


@router.post("/self/default-reports/{report_id}/disputes", status_code=201, response_model=DisputeRead)
async def dispute_report(report_id: str, body: DisputeIn, response: Response,
                         principal: Principal = Depends(enterprise_only), uow: UnitOfWork = Depends(get_uow)) -> Any:
    """The enterprise disputes a report about itself; the credit office must decide before confirming."""
    row = await reports.file_dispute(uow, report_id, uscc=validate_uscc(principal.org_id), text=body.text, now=utcnow())
    view = DisputeRead.model_validate(row._mapping)
    await uow.commit()
    response.headers["Location"] = f"/v1/self/default-reports/{report_id}"
    return view
