"""Bulk loan files from banks' core systems: NDJSON or CSV, UTF-8 or GB18030, up to 100,000 loans, one job each.

The upload is streamed to a spool file (memory stays bounded), checked (size, line count, CSV header) and
stored in the database in 1 MiB chunks with a queued job, so any replica's worker can run it and a restart
resumes it. The worker reads the file chunk by chunk, turns each line into the very request model of
``POST /v1/loans`` and registers a batch of lines at a time through the same path as a single loan
(``loans.register_loans``). Each batch's loans, their events, their results and the job's progress commit
together, so a job interrupted anywhere resumes after its last whole batch and never registers a line twice.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

import orjson
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import DomainError, ErrorKind, Invalid
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import loan_files_repo
from claims.domain.registration import Application
from claims.schemas import LoanCreate

from . import loans
from .deps import Deps

log = logging.getLogger(__name__)
FORMATS = ("ndjson", "csv")
ENCODINGS = ("utf-8", "gb18030")
MAX_LINES = 100_000
CHUNK_BYTES = 1 << 20
COLUMNS = tuple(LoanCreate.model_fields)  # a CSV's columns are the API's fields, by the same names
REQUIRED = tuple(name for name, f in LoanCreate.model_fields.items() if f.is_required())


@dataclass
class Spooled:
    """An uploaded file on disk (in memory while small): its size, hash and number of non-blank lines."""

    file: IO[bytes]
    size: int
    sha256: str
    lines: int


async def spool(stream: AsyncIterator[bytes]) -> Spooled:
    """Take the request body as it streams (the route's body limit has bounded it already)."""
    file = tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES)  # noqa: SIM115 - handed to the caller, who closes it
    digest, size = hashlib.sha256(), 0
    async for piece in stream:
        digest.update(piece)
        size += len(piece)
        file.write(piece)
    file.seek(0)
    lines = sum(1 for line in file if line.strip())
    file.seek(0)
    return Spooled(file, size, digest.hexdigest(), lines)


def check_file(spooled: Spooled, fmt: str, encoding: str) -> int:
    """The number of data lines, after refusing an empty file, too many lines, or a CSV header that is not ours."""
    if spooled.lines == 0:
        raise Invalid("LOAN_FILE_EMPTY", "the file has no lines")
    data_lines = spooled.lines - (1 if fmt == "csv" else 0)
    if data_lines > MAX_LINES:
        raise DomainError("LOAN_FILE_TOO_MANY_LINES", f"{data_lines} loans; a file holds at most {MAX_LINES}",
                          kind=ErrorKind.TOO_LARGE)
    if fmt == "csv":
        first = next(line for line in spooled.file if line.strip())
        spooled.file.seek(0)
        header = _csv_header(_decode(first, encoding, bom=True))
        if isinstance(header, LineError):
            raise Invalid("LOAN_FILE_HEADER", header.detail)
    return data_lines


async def queue(uow: UnitOfWork, deps: Deps, *, bank_id: str, uploaded_by: str, fmt: str, encoding: str,
                spooled: Spooled, lines: int) -> dict[str, Any]:
    """A job for the file, queued with the file itself (chunk by chunk from the spool)."""
    job_id = deps.mint("lf")
    values = {"job_id": job_id, "bank_id": bank_id, "uploaded_by": uploaded_by, "kind": "loans", "format": fmt, "encoding": encoding,
              "size_bytes": spooled.size, "sha256": spooled.sha256, "lines_total": lines, "created_at": deps.now()}
    spooled.file.seek(0)
    await loan_files_repo.add(uow.session, values, iter(lambda: spooled.file.read(CHUNK_BYTES), b""))
    uow.audit(after={"lines": lines, "sha256": spooled.sha256}, job_id=job_id)
    return await loan_files_repo.get(uow.session, job_id)


# ---- reading a file back, line by line --------------------------------------------------------------
@dataclass(frozen=True)
class LineError:
    """Why a line could not be read as a record at all (before the request model sees it)."""

    code: str
    detail: str
    field: str | None = None


async def _lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, bytes]]:
    """Physical lines with their numbers (from 1). Splitting bytes on LF is safe in UTF-8 and GB18030 alike:
    neither uses the byte 0x0A inside a character."""
    number, rest = 0, b""
    async for chunk in chunks:
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        for part in parts:
            number += 1
            yield number, part
    if rest:
        yield number + 1, rest


def _decode(raw: bytes, encoding: str, *, bom: bool = False) -> str | LineError:
    if bom and raw.startswith(b"\xef\xbb\xbf") and encoding == "utf-8":
        raw = raw[3:]
    try:
        return raw.decode(encoding).rstrip("\r")
    except UnicodeDecodeError as exc:
        return LineError("LINE_ENCODING", f"not {encoding} at byte {exc.start}")


def _csv_header(text: str | LineError) -> list[str] | LineError:
    if isinstance(text, LineError):
        return text
    header = next(csv.reader([text]))
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        return LineError("LOAN_FILE_HEADER", f"missing columns {missing}, unknown columns {unknown}; "
                         f"expected {list(COLUMNS)} (product_id optional), each once")
    return header


def _csv_record(header: list[str], text: str) -> dict[str, Any] | LineError:
    try:
        cells = next(csv.reader([text]))
    except csv.Error as exc:
        return LineError("CSV_INVALID", str(exc))
    if len(cells) != len(header):
        return LineError("CSV_COLUMNS", f"{len(cells)} cells for {len(header)} columns")
    # An empty cell is an absent value (product_id); a required field left empty is refused by the model.
    return {name: cell for name, cell in zip(header, cells, strict=True) if cell != "" or name in REQUIRED}


def _ndjson_record(text: str) -> dict[str, Any] | LineError:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return LineError("JSON_INVALID", str(exc))
    return value if isinstance(value, dict) else LineError("JSON_NOT_OBJECT", "each line must be one JSON object")


async def records(chunks: AsyncIterator[bytes], fmt: str, encoding: str) -> AsyncIterator[tuple[int, Any]]:
    """Each non-blank data line as (line number, field dict or LineError). A CSV's values stay text, as a bank's
    core system wrote them; the request model reads them exactly as the API reads JSON strings."""
    header: list[str] | LineError | None = None
    async for number, raw in _lines(chunks):
        if not raw.strip():
            continue
        text = _decode(raw, encoding, bom=number == 1)
        if fmt == "csv" and header is None:
            header = _csv_header(text)
            continue
        if isinstance(text, LineError):
            yield number, text
        elif isinstance(header, LineError):
            yield number, header
        else:
            yield number, _csv_record(header, text) if fmt == "csv" else _ndjson_record(text)


# ---- running a job ----------------------------------------------------------------------------------
def _refusal(number: int, code: str, detail: str, field: str | None, bank_loan_no: Any = None) -> dict[str, Any]:
    no = bank_loan_no if isinstance(bank_loan_no, str) and len(bank_loan_no) <= 100 else None
    return {"line": number, "bank_loan_no": no, "outcome": "refused", "loan_id": None, "covered": None,
            "code": code, "field": field, "detail": detail[:1000]}


def _application(number: int, record: Any) -> Application | dict[str, Any]:
    """The line as the API's request model reads it, or its refusal naming the field."""
    if isinstance(record, LineError):
        return _refusal(number, record.code, record.detail, record.field)
    try:
        return LoanCreate.model_validate(record).to_application()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        return _refusal(number, "VALIDATION_FAILED", first["msg"], field, record.get("bank_loan_no"))
    except DomainError as exc:
        return _refusal(number, exc.code, exc.detail, exc.extra.get("field"), record.get("bank_loan_no"))


def _result(number: int, app: Application, registration: loans.Registration) -> dict[str, Any]:
    if registration.error is not None:
        e = registration.error
        return _refusal(number, e.code, e.detail, e.extra.get("field"), app.bank_loan_no)
    return {"line": number, "bank_loan_no": app.bank_loan_no, "outcome": registration.outcome,
            "loan_id": registration.loan_id, "covered": registration.covered, "code": None, "field": None, "detail": None}


@dataclass(frozen=True)
class JobConfig:
    """How a worker runs jobs: lines per transaction, how long a job stays its own without progress, idle pause."""

    batch_lines: int = 1000
    lease: timedelta = timedelta(minutes=2)
    poll_s: float = 0.5


class LeaseLost(Exception):
    """Another worker went on with the job after this one's lease ran out: this one lets it go."""


async def _apply_batch(runtime: Runtime, deps: Deps, row: Any, batch: list[tuple[int, Any]], *, done_before: int,
                       lines_done: int, config: JobConfig) -> None:
    """Register one batch and record its results and the job's progress, all in one transaction."""
    prepared = [(number, _application(number, record)) for number, record in batch]
    applications = [item for _, item in prepared if isinstance(item, Application)]
    for attempt in (1, 2):
        try:
            async with runtime.uow() as uow:
                registrations = iter(await loans.register_loans(uow, deps, bank_id=row.bank_id,
                                                                applications=applications))
                results = [item if isinstance(item, dict) else _result(number, item, next(registrations))
                           for number, item in prepared]
                if not await loan_files_repo.record_batch(uow.session, row.job_id, results, done_before=done_before,
                                                          lines_done=lines_done, lease_until=utcnow() + config.lease):
                    raise LeaseLost(row.job_id)
                await uow.commit()
                return
        except IntegrityError:
            if attempt == 2:
                raise
            # A loan number the API registered at the same moment: the retry finds it registered before.


async def run_job(runtime: Runtime, deps: Deps, row: Any, config: JobConfig) -> None:
    """Register the file's lines after those already done, a batch per transaction, then finish the job."""
    batch: list[tuple[int, Any]] = []
    seen = done = row.lines_done
    skipped = 0
    async for number, record in records(loan_files_repo.chunks(runtime.db, row.job_id), row.format, row.encoding):
        if skipped < row.lines_done:
            skipped += 1  # done before a restart
            continue
        seen += 1
        batch.append((number, record))
        if len(batch) >= config.batch_lines:
            await _apply_batch(runtime, deps, row, batch, done_before=done, lines_done=seen, config=config)
            batch, done = [], seen
    if batch:
        await _apply_batch(runtime, deps, row, batch, done_before=done, lines_done=seen, config=config)
    async with runtime.db.writing() as session:
        await loan_files_repo.finish(session, row.job_id, status="done", at=utcnow())
        await session.commit()


async def take_next(runtime: Runtime, config: JobConfig) -> Any | None:
    """Lease the next job (queued, or abandoned by a stopped worker)."""
    now = utcnow()
    async with runtime.db.writing() as session:
        row = await loan_files_repo.take_next(session, now=now, lease_until=now + config.lease)
        await session.commit()
    return row


async def worker(runtime: Runtime, deps: Deps, config: JobConfig) -> None:
    """The supervised loop: run jobs one after another; a job that breaks is marked failed with the reason."""
    while True:
        row = await take_next(runtime, config)
        if row is None:
            await asyncio.sleep(config.poll_s)
            continue
        try:
            await run_job(runtime, deps, row, config)
        except LeaseLost:
            log.warning("loan file job taken over by another worker", extra={"job_id": row.job_id})
        except DomainError as exc:  # the bank cannot register at all (e.g. no longer admitted)
            await _fail(runtime, row.job_id, f"{exc.code}: {exc.detail}")
        except Exception as exc:  # noqa: BLE001 - the job is failed with its reason; the worker goes on
            log.exception("loan file job failed", extra={"job_id": row.job_id})
            await _fail(runtime, row.job_id, f"{type(exc).__name__}: {exc}"[:1000])


async def _fail(runtime: Runtime, job_id: str, error: str) -> None:
    async with runtime.db.writing() as session:
        await loan_files_repo.finish(session, job_id, status="failed", at=utcnow(), error=error)
        await session.commit()

