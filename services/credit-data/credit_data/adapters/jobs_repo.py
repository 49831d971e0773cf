"""Jobs (feed files, re-ratings, the daily run) and the lines a feed job refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import job, job_rejection

# Every column of a job row, for the kinds that do not use them all (re-rate and daily jobs read no file).
BLANK_JOB = {
    "sources": "", "format": None, "encoding": None, "file_path": None, "size_bytes": 0, "body_sha256": None,
    "lines_done": 0, "accepted": 0, "unchanged": 0, "superseded": 0, "rejected": 0, "rated": 0, "error": None,
    "started_at": None, "finished_at": None,
}  # fmt: skip


async def add(session: AsyncSession, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a job; returns the full row as stored (blank columns filled)."""
    row = BLANK_JOB | values
    await session.execute(insert(job).values(row))
    return row


async def get(session: AsyncSession, job_id: str) -> Any:
    """One job, or None."""
    return (await session.execute(select(job).where(job.c.id == job_id))).first()


async def rejections(session: AsyncSession, job_id: str, *, after_line: int, limit: int) -> list[Any]:
    """A job's refused lines after ``after_line``, in line order."""
    c = job_rejection.c
    query = select(job_rejection).where(c.job_id == job_id, c.line > after_line).order_by(c.line, c.id).limit(limit)
    return list(await session.execute(query))


async def take_next_queued(session: AsyncSession, started_at: datetime) -> Any:
    """The oldest queued job, marked running; None when there is none."""
    # SKIP LOCKED lets several instances on one PostgreSQL take different jobs (SQLite ignores it).
    query = select(job).where(job.c.status == "queued").order_by(job.c.created_at).limit(1)
    row = (await session.execute(query.with_for_update(skip_locked=True))).first()
    if row is not None:
        await session.execute(update(job).where(job.c.id == row.id).values(status="running", started_at=started_at))
    return row


async def requeue_running(session: AsyncSession) -> None:
    """Every running job back to the queue (their process stopped)."""
    await session.execute(update(job).where(job.c.status == "running").values(status="queued"))


async def rejected_so_far(session: AsyncSession, job_id: str) -> int:
    return (await session.execute(select(job.c.rejected).where(job.c.id == job_id))).scalar_one()


async def add_rejections(session: AsyncSession, job_id: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(job_rejection), [r | {"job_id": job_id} for r in rows])


async def count_batch(session: AsyncSession, job_id: str, *, lines_done: int, accepted: int, unchanged: int,
                      superseded: int, rejected: int) -> None:  # fmt: skip
    """Add one stored batch to the job's counters and move its resume point to ``lines_done``."""
    c = job.c
    await session.execute(
        update(job).where(c.id == job_id).values(
            lines_done=lines_done, accepted=c.accepted + accepted, unchanged=c.unchanged + unchanged,
            superseded=c.superseded + superseded, rejected=c.rejected + rejected,
        )
    )  # fmt: skip


async def count_rated(session: AsyncSession, job_id: str, rated: int) -> None:
    await session.execute(update(job).where(job.c.id == job_id).values(rated=job.c.rated + rated))


async def finish(session: AsyncSession, job_id: str, *, status: str, error: str | None, at: datetime) -> None:
    await session.execute(update(job).where(job.c.id == job_id).values(status=status, error=error, finished_at=at))


async def last_finished(session: AsyncSession, kind: str) -> datetime | None:
    """When a job of this kind last finished successfully."""
    query = select(job.c.finished_at).where(job.c.kind == kind, job.c.status == "done")
    return (await session.execute(query.order_by(job.c.finished_at.desc()).limit(1))).scalar()
