"""Statistics and the monthly status file: assessment figures, CSV export, bank ranking."""

from __future__ import annotations

import hashlib
import re

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from xinyidai_shared.auth import CLAIM_READERS, Principal, Role, require
from xinyidai_shared.errors import DomainError, ErrorKind, Invalid
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.uow import UnitOfWork

from claims.domain.stats import parse_period
from claims.service_layer import statistics, status_file

from .common import deps_of, own_bank

router = APIRouter(tags=["statistics"])
STATS_READERS = require(*CLAIM_READERS)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@router.get("/stats")
async def stats(request: Request, period: str = Query(..., description="YYYY, YYYY-Qn or YYYY-MM"),
                principal: Principal = Depends(STATS_READERS)) -> list[dict]:
    """Per bank and for the city: loans and principal issued, growth, outstanding, overdue and loss ratios, compensation."""
    async with request.app.state.runtime.db.read_session() as session:
        rows = await statistics.figures_for(session, parse_period(period))
    return [statistics.as_json(r) for r in rows]


@router.get("/stats.csv", response_class=Response)
async def stats_csv(request: Request, period: str = Query(...), principal: Principal = Depends(STATS_READERS)) -> Response:
    """The statistics as a CSV download."""
    p = parse_period(period)
    async with request.app.state.runtime.db.read_session() as session:
        rows = await statistics.figures_for(session, p)
    return Response(statistics.as_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="xinyidai-stats-{p.label}.csv"'})


@router.get("/stats/ranking")
async def bank_ranking(request: Request, period: str = Query(...), principal: Principal = Depends(STATS_READERS)) -> list[dict]:
    """The bank ranking the financial development bureau uses (principal issued, then growth, Plan 4.1.4)."""
    async with request.app.state.runtime.db.read_session() as session:
        rows = await statistics.figures_for(session, parse_period(period))
    return statistics.ranked(rows)


CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}, "example": (
    "bank_loan_no,as_of,days_past_due,overdue_principal,category,repaid,repayment_ref,settled\n"
    "ICBC-001,2026-10-31,35,20000.00,special_mention,,,\n")}}}}


@router.post("/banks/{bank_id}/status-files", openapi_extra=CSV_BODY)
async def upload_status_file(bank_id: str, request: Request, month: str = Query(..., description="YYYY-MM"),
                             principal: Principal = Depends(require(Role.BANK)), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Monthly bulk status report (CSV body) for all of a bank's loans; bad rows are reported, good rows apply."""
    own_bank(principal, bank_id)
    if not MONTH.match(month):
        raise Invalid("MONTH_INVALID", f"month must be YYYY-MM, not {month!r}", field="month")
    content = await request.body()
    limit = request.app.state.runtime.settings.status_file_max_bytes
    if len(content) > limit:
        raise DomainError("STATUS_FILE_TOO_LARGE", f"at most {limit} bytes", kind=ErrorKind.TOO_LARGE)
    if not content.strip():
        raise Invalid("STATUS_FILE_EMPTY", "the status file is empty")

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        return 201, await status_file.ingest(uow, deps_of(request), bank_id=bank_id, month=month, content=content)

    # The month and the file's own hash are the natural key: the same file again replays the first report.
    digest = hashlib.sha256(content).hexdigest()
    return await guard.write(principal, work, natural_key=f"{month}/{digest}", body=digest)
