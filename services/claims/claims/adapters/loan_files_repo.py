"""Bulk loan files: the job, its file kept in the database in chunks (any replica may run it), the results."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.db import Database

from .tables import loan_file as J
from .tables import loan_file_chunk as C
from .tables import loan_file_result as R

JOB_FIELDS = ("job_id", "bank_id", "uploaded_by", "kind", "format", "encoding", "size_bytes", "sha256", "lines_total", "status",
              "lines_done", "registered", "unchanged", "refused", "created_at", "started_at", "finished_at", "error")


async def add(session: AsyncSession, values: dict[str, Any], chunks: Iterable[bytes]) -> None:
    """A queued job with its file."""
    await session.execute(insert(J).values(status="queued", lines_done=0, registered=0, unchanged=0, refused=0, **values))
    for no, data in enumerate(chunks):
        await session.execute(insert(C).values(job_id=values["job_id"], no=no, data=data))


async def get(session: AsyncSession, job_id: str) -> dict[str, Any] | None:
    """One job as the API shows it."""
    row = (await session.execute(select(*(J.c[f] for f in JOB_FIELDS)).where(J.c.job_id == job_id))).first()
    return dict(row._mapping) if row is not None else None


async def take_next(session: AsyncSession, *, now: datetime, lease_until: datetime) -> Any | None:
    """The oldest job that is queued, or running under a lease that ran out (its worker stopped), leased to the
    caller; ``SKIP LOCKED`` lets workers on several replicas take different jobs (SQLite has one writer)."""
    query = (
        select(J).where(or_(J.c.status == "queued", (J.c.status == "running") & (J.c.lease_until < now)))
        .order_by(J.c.created_at, J.c.job_id).limit(1).with_for_update(skip_locked=True)
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    await session.execute(update(J).where(J.c.job_id == row.job_id).values(
        status="running", lease_until=lease_until, started_at=row.started_at or now))
    return row


async def chunks(db: Database, job_id: str) -> AsyncIterator[bytes]:
    """The file, chunk by chunk, each read in its own short read (memory stays one chunk)."""
    no = 0
    while True:
        async with db.read_session() as session:
            data = (await session.execute(select(C.c.data).where(C.c.job_id == job_id, C.c.no == no))).scalar_one_or_none()
        if data is None:
            return
        yield data
        no += 1


async def record_batch(session: AsyncSession, job_id: str, results: list[dict[str, Any]], *, done_before: int,
                       lines_done: int, lease_until: datetime) -> bool:
    """A batch's results and the job's progress, in the batch's own transaction (a restart resumes after it).

    False when the job is no longer where this worker left it (its lease ran out and another worker went on):
    the caller rolls the batch back and lets the job go.
    """
    counts = {k: 0 for k in ("registered", "unchanged", "refused")}
    for r in results:
        counts[r["outcome"]] += 1
    moved = await session.execute(
        update(J).where(J.c.job_id == job_id, J.c.status == "running", J.c.lines_done == done_before)
        .values(lines_done=lines_done, lease_until=lease_until, **{k: getattr(J.c, k) + v for k, v in counts.items()})
    )
    if moved.rowcount != 1:
        return False
    if results:
        await session.execute(insert(R), [{"job_id": job_id, **r} for r in results])
    return True


async def finish(session: AsyncSession, job_id: str, *, status: str, at: datetime, error: str | None = None) -> None:
    """Done (or failed): the file's chunks are let go, the results and counts stay."""
    await session.execute(update(J).where(J.c.job_id == job_id).values(status=status, finished_at=at, lease_until=None,
                                                                      error=error))
    await session.execute(delete(C).where(C.c.job_id == job_id))


async def results(session: AsyncSession, job_id: str, *, after_line: int, limit: int,
                  outcome: str | None) -> list[dict[str, Any]]:
    """Results in line order after a line."""
    query = select(R).where(R.c.job_id == job_id, R.c.line > after_line).order_by(R.c.line).limit(limit)
    if outcome is not None:
        query = query.where(R.c.outcome == outcome)
    return [{k: v for k, v in r._mapping.items() if k != "job_id"} for r in (await session.execute(query)).all()]


async def for_bank(session: AsyncSession, bank_id: str | None, *, limit: int) -> list[dict[str, Any]]:
    """Jobs, newest first (a bank's own; every bank's for officers)."""
    query = select(*(J.c[f] for f in JOB_FIELDS)).order_by(J.c.created_at.desc(), J.c.job_id).limit(limit)
    if bank_id is not None:
        query = query.where(J.c.bank_id == bank_id)
    return [dict(r._mapping) for r in (await session.execute(query)).all()]
