"""Feed endpoints: push one record or a small batch, upload a bulk file as a job, follow the job."""

from __future__ import annotations

import asyncio
import codecs
import csv
import hashlib
import io
import uuid
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from xinyidai_shared.auth import Principal, Role, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import DomainError, ErrorKind, Invalid, NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.money import format_fen
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import get_runtime
from xinyidai_shared.params import STRICT, LineCursor

from ..adapters import jobs_repo
from ..adapters.records_repo import record_history
from ..domain.feeds import FORMATS, check_header, normalise_encoding
from ..domain.periods import format_period
from ..schemas import RECORD_EXAMPLE, BatchIn, BatchResultRead, ItemResultRead, JobRead, RejectionRead
from ..service_layer.ingest import push_one, push_records
from ..service_layer.jobs import queue_file

router = APIRouter(prefix="/v1/feeds", tags=["feeds"])
provider_only = require(Role.PROVIDER)


# Records are versioned by their natural key (the provider's source record id): the same content again is
# "unchanged", new content supersedes the stored version. A resent request is replayed by its Idempotency-Key;
# two first pushes of one key at the same instant (PostgreSQL) are retried once by the guard.
@router.post("/record", response_model=ItemResultRead, responses={200: {"description": "unchanged"}})
async def push_record(
    raw: dict[str, Any] = Body(examples=[RECORD_EXAMPLE]),
    principal: Principal = Depends(provider_only),
    guard: Idempotency = Depends(idempotency),
) -> JSONResponse:
    """Push one record: 201 when stored or superseding, 200 when it is unchanged, 4xx when refused."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        result = await push_one(uow, principal, raw, now=utcnow())
        return (200 if result.outcome == "unchanged" else 201), ItemResultRead(**result.__dict__).model_dump(mode="json")

    return await guard.write(principal, work, body=orjson.dumps(raw, option=orjson.OPT_SORT_KEYS))


@router.post("/batch", response_model=BatchResultRead)
async def push_batch(
    body: BatchIn, request: Request, principal: Principal = Depends(provider_only), guard: Idempotency = Depends(idempotency)
) -> JSONResponse:
    """Push a small batch: every record gets its own outcome; bad ones are reported, good ones kept."""
    limit = request.app.state.runtime.settings.batch_max_records
    if len(body.records) > limit:
        raise DomainError("BATCH_TOO_LARGE", f"at most {limit} records per batch; upload a file instead", kind=ErrorKind.TOO_LARGE)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        results = await push_records(uow, principal, body.records, now=utcnow())
        counts = {o: sum(1 for r in results if r.outcome == o) for o in ("accepted", "unchanged", "superseded", "rejected")}
        answer = BatchResultRead(**counts, results=[ItemResultRead(**r.__dict__) for r in results])
        return 200, answer.model_dump(mode="json")

    return await guard.write(principal, work, body=body)


def _declared_codec(content_type: str | None, encoding: str | None) -> str:
    if encoding:
        return normalise_encoding(encoding)
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            return normalise_encoding(value.strip('"'))
    return "utf-8"


async def _receive(request: Request, path: Path, codec: str, max_bytes: int) -> tuple[int, str]:
    """Stream the body to ``path`` while checking its size and that it decodes in the declared charset."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise DomainError("UPLOAD_TOO_LARGE", f"a feed file may be at most {max_bytes} bytes", kind=ErrorKind.TOO_LARGE)
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as sink:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise DomainError("UPLOAD_TOO_LARGE", f"a feed file may be at most {max_bytes} bytes", kind=ErrorKind.TOO_LARGE)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise DomainError(
                    "ENCODING_INVALID", f"the file is not valid {codec} near byte {size - len(chunk) + error.start}",
                    kind=ErrorKind.UNSUPPORTED,
                ) from None  # fmt: skip
            digest.update(chunk)
            await asyncio.to_thread(sink.write, chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise DomainError("ENCODING_INVALID", f"the file ends inside a {codec} character", kind=ErrorKind.UNSUPPORTED) from None
    if size == 0:
        raise Invalid("FILE_EMPTY", "the uploaded file is empty")
    return size, digest.hexdigest()


def _check_csv_header(path: Path, codec: str) -> None:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig" if codec == "utf-8" else codec, newline="")
        try:
            header = next(csv.reader(text), [])
        except csv.Error as exc:  # e.g. a header field over the csv module's field size limit
            raise Invalid("HEADER_INVALID", f"the CSV header cannot be read: {exc}") from exc
        check_header(header)


@router.post("/files", status_code=202, response_model=JobRead)
async def upload_file(
    request: Request,
    format: str = Query(pattern="^(ndjson|csv)$", description=f"one of {', '.join(FORMATS)}"),
    encoding: str | None = Query(None, description="utf-8 (default) or gb18030; or send a charset in Content-Type"),
    principal: Principal = Depends(provider_only),
    guard: Idempotency = Depends(idempotency),
) -> JSONResponse:
    """Upload a bulk NDJSON or CSV file (UTF-8 or GB18030); it is ingested as a job you can follow."""
    settings = request.app.state.runtime.settings
    if (request.headers.get("content-type") or "").lower().startswith("multipart/"):
        raise DomainError("RAW_BODY_EXPECTED", "send the file itself as the request body, not a multipart form", kind=ErrorKind.UNSUPPORTED)
    codec = _declared_codec(request.headers.get("content-type"), encoding)
    folder = Path(settings.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    job_id = str(uuid.uuid4())
    path = folder / f"{job_id}.{format}"
    try:
        size, sha = await _receive(request, path, codec, settings.upload_max_bytes)
        if format == "csv":
            _check_csv_header(path, codec)
        queued: list[str] = []

        async def work(uow: UnitOfWork) -> tuple[int, dict]:
            queued.append(job_id)
            row = await queue_file(uow, principal, job_id=job_id, path=str(path), fmt=format, codec=codec, size=size, sha256=sha)
            return 202, JobRead.model_validate(row).model_dump(mode="json")

        # The unit of work (and with it the database's writer lock) is taken only once the file is in; the
        # request is known by the file's own hash (with the format and encoding in the query).
        answer = await guard.write(principal, work, body=sha)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if not queued:  # the first answer to this Idempotency-Key was replayed: this copy of the file is not needed
        path.unlink(missing_ok=True)
    return answer


async def _visible_job(request: Request, job_id: str, principal: Principal) -> Any:
    async with get_runtime(request).db.read_session() as session:
        row = await jobs_repo.get(session, job_id)
    if row is None or (principal.role is Role.PROVIDER and row.org_id != principal.org_id):
        raise NotFound("JOB_NOT_FOUND", f"no job {job_id} for this organisation")
    return row


@router.get("/jobs/{job_id}", response_model=JobRead)
async def get_job(
    job_id: str, request: Request, principal: Principal = Depends(require(Role.PROVIDER, Role.CREDIT_OFFICE))
) -> Any:
    """A job's progress and, when done, its final counts (accepted, unchanged, superseded, rejected)."""
    return JobRead.model_validate((await _visible_job(request, job_id, principal))._mapping)


@router.get("/jobs/{job_id}/rejections", response_model=list[RejectionRead])
async def job_rejections(
    job_id: str,
    request: Request,
    after_line: LineCursor = 0,
    limit: Annotated[int, Query(ge=1, le=5000), STRICT] = 500,
    principal: Principal = Depends(require(Role.PROVIDER, Role.CREDIT_OFFICE)),
) -> Any:
    """The job's rejected lines (line number, field, code, reason), in line order, a page at a time."""
    await _visible_job(request, job_id, principal)
    async with get_runtime(request).db.read_session() as session:
        rows = await jobs_repo.rejections(session, job_id, after_line=after_line, limit=limit)
    return [RejectionRead.model_validate(r._mapping) for r in rows]


@router.get("/records/{source_record_id}/history")
async def get_record_history(
    source_record_id: str, request: Request, principal: Principal = Depends(provider_only)
) -> list[dict[str, Any]]:
    """The versions of one of the caller's records that later pushes superseded, oldest first."""
    async with get_runtime(request).db.read_session() as session:
        rows = await record_history(session, principal.org_id, source_record_id)
    return [_version_view(row) for row in rows]


def _version_view(row: dict[str, Any]) -> dict[str, Any]:
    """A stored version as the API shows records: money as exact yuan text, consumption as decimal text."""
    view: dict[str, Any] = {}
    for key, value in row.items():
        if key in {"id", "record_id"}:
            continue
        if key.endswith("_fen"):
            view[key.removesuffix("_fen")] = None if value is None else format_fen(value)
        elif key == "consumption_milli":
            view["consumption"] = None if value is None else f"{value // 1000}.{value % 1000:03d}"
        elif key == "period":
            view[key] = format_period(value)
        else:
            view[key] = value
    return view
