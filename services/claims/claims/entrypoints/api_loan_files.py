"""Bulk loan files from core systems: upload as a job, follow its progress, read one result per line."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from xinyidai_shared.auth import CLAIM_READERS, Principal, Role, require
from xinyidai_shared.errors import DomainError, ErrorKind, Forbidden, NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.params import STRICT, LineCursor
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import banks_repo, loan_files_repo
from claims.schemas_loan_files import LoanFileRead, LoanFileResults
from claims.service_layer import loan_files

from .common import bank_scope, deps_of

router = APIRouter(tags=["loan files"])
BANK = require(Role.BANK)
READERS = require(Role.BANK, *CLAIM_READERS)


def _encoding(request: Request, encoding: str | None) -> str:
    """``?encoding=`` or the charset of the Content-Type, else UTF-8."""
    declared = encoding
    if declared is None:
        for part in request.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset":
                declared = value.strip().strip('"').lower()
    declared = {"utf8": "utf-8", "gbk": "gb18030", "gb2312": "gb18030"}.get(declared or "utf-8", declared or "utf-8")
    if declared not in loan_files.ENCODINGS:
        raise DomainError("LOAN_FILE_ENCODING", f"encoding {declared!r}: use utf-8 or gb18030",
                          kind=ErrorKind.UNSUPPORTED)
    return declared


@router.post("/loan-files", status_code=202, response_model=LoanFileRead)
async def upload_loan_file(request: Request, format: Literal["ndjson", "csv"],  # noqa: A002 - the API's word
                           encoding: Annotated[Literal["utf-8", "gb18030"] | None, Query()] = None,
                           principal: Principal = Depends(BANK), guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Upload up to 100,000 loans (NDJSON or CSV, UTF-8 or GB18030) as a job; each line registers as POST /v1/loans would."""
    charset = _encoding(request, encoding)
    async with request.app.state.runtime.db.read_session() as session:
        if not await banks_repo.exists(session, principal.org_id):
            raise Forbidden("BANK_NOT_ADMITTED", f"bank {principal.org_id} has not joined the platform")
    spooled = await loan_files.spool(request.stream())
    try:
        lines = loan_files.check_file(spooled, format, charset)

        async def work(uow: UnitOfWork) -> tuple[int, dict]:
            job = await loan_files.queue(uow, deps_of(request), bank_id=principal.org_id, uploaded_by=principal.actor,
                                         fmt=format, encoding=charset, spooled=spooled, lines=lines)
            return 202, LoanFileRead(**job).model_dump(mode="json")

        # Without an Idempotency-Key each upload is a job of its own: its lines are idempotent by loan number.
        return await guard.write(principal, work, body=f"{format}\n{charset}\n{spooled.sha256}")
    finally:
        spooled.file.close()


async def _job(request: Request, job_id: str, principal: Principal) -> dict:
    async with request.app.state.runtime.db.read_session() as session:
        job = await loan_files_repo.get(session, job_id)
    scope = bank_scope(principal)
    if job is None or (scope is not None and job["bank_id"] != scope):
        raise NotFound("LOAN_FILE_NOT_FOUND", f"no loan file {job_id}")
    return job


@router.get("/loan-files", response_model=list[LoanFileRead])
async def list_loan_files(request: Request, principal: Principal = Depends(READERS),
                          limit: Annotated[int, Query(ge=1, le=200), STRICT] = 50) -> list[dict]:
    """Loan files, newest first (a bank sees its own)."""
    async with request.app.state.runtime.db.read_session() as session:
        return await loan_files_repo.for_bank(session, bank_scope(principal), limit=limit)


@router.get("/loan-files/{job_id}", response_model=LoanFileRead)
async def read_loan_file(job_id: str, request: Request, principal: Principal = Depends(READERS)) -> dict:
    """A loan file's job: status, progress (lines done of lines total) and counts by outcome."""
    return await _job(request, job_id, principal)


@router.get("/loan-files/{job_id}/results", response_model=LoanFileResults)
async def loan_file_results(job_id: str, request: Request, principal: Principal = Depends(READERS),
                            after_line: LineCursor = 0, limit: Annotated[int, Query(ge=1, le=5000), STRICT] = 1000,
                            outcome: Literal["registered", "unchanged", "refused"] | None = None) -> dict:
    """One result per line, in line order: registered or unchanged (with the loan), or refused (code, field, why)."""
    await _job(request, job_id, principal)
    async with request.app.state.runtime.db.read_session() as session:
        rows = await loan_files_repo.results(session, job_id, after_line=after_line, limit=limit, outcome=outcome)
    return {"results": rows, "next_after_line": rows[-1]["line"] if len(rows) == limit else None}
