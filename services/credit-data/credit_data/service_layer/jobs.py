"""Background jobs: ingest an uploaded feed file, or re-rate every enterprise.

A feed job reads its file line by line and commits every ``job_batch_size`` lines together with the job's
counters and ``lines_done``, so a restarted worker resumes after the last committed line and a crash never
leaves half a batch. Enterprises touched by the file are queued and rated once, after the last line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from xinyidai_shared.auth import Principal
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.uow import UnitOfWork

from ..adapters import jobs_repo, ratings_repo
from ..adapters.records_repo import store_records
from ..domain.feeds import read_feed
from ..domain.records import FeedRecord
from .feed_reader import batches_from_helper, check_line
from .rating import rerate

log = logging.getLogger(__name__)
YIELD_EVERY = 250


async def queue_file(uow: UnitOfWork, principal: Principal, *, job_id: str, path: str, fmt: str, codec: str, size: int,
                     sha256: str) -> dict[str, Any]:  # fmt: skip
    """Queue an uploaded feed file as a job; the worker ingests it with the provider's own sources."""
    values = {
        "id": job_id, "kind": "feed", "org_id": principal.org_id, "sources": ",".join(sorted(principal.sources)),
        "format": fmt, "encoding": codec, "file_path": path, "size_bytes": size, "body_sha256": sha256,
        "status": "queued", "created_at": utcnow(),
    }  # fmt: skip
    return await jobs_repo.add(uow.session, values)


async def queue_rerate(uow: UnitOfWork) -> dict[str, Any]:
    """Queue a re-rating of every enterprise (after a scorecard change)."""
    values = {"id": str(uuid.uuid4()), "kind": "rerate", "org_id": "credit-data", "status": "queued", "created_at": utcnow()}
    return await jobs_repo.add(uow.session, values)


async def claim_next(runtime: Runtime) -> Any:
    """Take the oldest queued job and mark it running; None when there is nothing to do."""
    async with runtime.uow() as uow:
        row = await jobs_repo.take_next_queued(uow.session, utcnow())
        if row is not None:
            await uow.commit()
        return row


async def requeue_interrupted(runtime: Runtime) -> None:
    """Jobs left running by a stopped process go back to the queue; they resume from ``lines_done``."""
    async with runtime.uow() as uow:
        await jobs_repo.requeue_running(uow.session)
        await uow.commit()


@dataclass
class _Checked:
    """One batch of a file after validation: the good records, the refused lines, the last line number."""

    records: list[FeedRecord] = field(default_factory=list)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    last_line: int = 0


async def _check_batch(lines: Iterator[tuple[int, Any]], row: Any, size: int, today: date) -> _Checked | None:
    """Read and validate up to ``size`` lines, giving the event loop a turn every few hundred lines so
    the previous batch's database work (in the driver's thread) goes on meanwhile. None at end of file."""
    context = {"provider": row.org_id, "allowed": frozenset(filter(None, row.sources.split(","))), "today": today}
    checked = _Checked()
    for count, (number, item) in enumerate(islice(lines, size), start=1):
        checked.last_line = number
        if count % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        result = check_line(number, item, **context)
        if isinstance(result, dict):
            checked.rejections.append(result)
        else:
            checked.records.append(result)
    return checked if checked.last_line else None


async def _checked_batches(runtime: Runtime, row: Any, size: int, today: date) -> AsyncIterator[_Checked]:
    """The job's file as validated batches: read in a helper process when the file is large."""
    if row.size_bytes >= runtime.settings.parallel_ingest_min_bytes:  # type: ignore[attr-defined]
        async for records, rejections, last in batches_from_helper(row, size=size, today=today):
            yield _Checked([FeedRecord(*values) for values in records], rejections, last)
        return
    with open(row.file_path, "rb") as stream:
        lines = ((n, item) for n, item in read_feed(stream, row.format, row.encoding) if n > row.lines_done)
        while (checked := await _check_batch(lines, row, size, today)) is not None:
            yield checked


async def _store_batch(runtime: Runtime, row: Any, checked: _Checked, cap: int) -> None:
    """Store one validated batch with the job's counters and ``lines_done``, in one transaction."""
    async with runtime.uow() as uow:
        stored = await store_records(uow.session, row.org_id, checked.records, now=utcnow(), job_id=row.id)
        await ratings_repo.mark_dirty(uow.session, stored.touched)
        room = max(0, cap - await jobs_repo.rejected_so_far(uow.session, row.id))
        await jobs_repo.add_rejections(uow.session, row.id, checked.rejections[:room])
        await jobs_repo.count_batch(
            uow.session, row.id, lines_done=checked.last_line, accepted=stored.count("accepted"),
            unchanged=stored.count("unchanged"), superseded=stored.count("superseded"), rejected=len(checked.rejections),
        )  # fmt: skip
        await uow.commit()


async def rate_dirty(runtime: Runtime, job_id: str | None) -> int:
    """Rate every queued enterprise, a chunk per transaction; returns how many were rated."""
    total = 0
    while True:
        async with runtime.uow() as uow:
            usccs = await ratings_repo.take_dirty(uow.session, runtime.settings.rerate_chunk)  # type: ignore[attr-defined]
            if not usccs:
                return total
            await rerate(uow, usccs, now=utcnow())
            total += len(usccs)
            if job_id is not None:
                await jobs_repo.count_rated(uow.session, job_id, len(usccs))
            await uow.commit()


async def ingest_file(runtime: Runtime, row: Any) -> None:
    """Read the job's file from after its last committed line to the end, a batch per transaction.

    Batches are stored strictly in order (a key repeated in a later batch must see the earlier one), while
    the next batch is read and validated as the previous one is being written.
    """
    settings = runtime.settings
    size, cap = settings.job_batch_size, settings.job_max_stored_rejections  # type: ignore[attr-defined]
    today = today_shanghai()
    writing: asyncio.Task | None = None
    try:
        async for checked in _checked_batches(runtime, row, size, today):
            if writing is not None:
                await writing
            writing = asyncio.create_task(_store_batch(runtime, row, checked, cap))
        if writing is not None:
            await writing
    finally:
        if writing is not None and not writing.done():
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)


async def run_feed_job(runtime: Runtime, row: Any) -> None:
    """Ingest one uploaded file to its end, then rate the enterprises it touched."""
    await ingest_file(runtime, row)
    await rate_dirty(runtime, row.id)
    await _finish(runtime, row.id, "done")
    os.remove(row.file_path)


async def run_rerate_job(runtime: Runtime, job_id: str | None) -> int:
    """Re-rate every enterprise known (after a scorecard change, and daily); returns the count."""
    after, total = "", 0
    while True:
        async with runtime.uow() as uow:
            usccs = await ratings_repo.enterprises_after(uow.session, after, runtime.settings.rerate_chunk)  # type: ignore[attr-defined]
            if not usccs:
                break
            await rerate(uow, usccs, now=utcnow())
            if job_id is not None:
                await jobs_repo.count_rated(uow.session, job_id, len(usccs))
            await uow.commit()
        after, total = usccs[-1], total + len(usccs)
    if job_id is not None:
        await _finish(runtime, job_id, "done")
    return total


async def _finish(runtime: Runtime, job_id: str, status: str, error: str | None = None) -> None:
    async with runtime.uow() as uow:
        await jobs_repo.finish(uow.session, job_id, status=status, error=error, at=utcnow())
        await uow.commit()


async def run_one(runtime: Runtime, row: Any) -> None:
    """Run a claimed job; a job that fails is marked failed with its reason instead of looping forever."""
    try:
        if row.kind == "feed":
            await run_feed_job(runtime, row)
        else:
            await run_rerate_job(runtime, row.id)
    except Exception as error:  # noqa: BLE001 - the job records why it failed; the worker goes on
        log.exception("job failed", extra={"job_id": row.id})
        await _finish(runtime, row.id, "failed", f"{type(error).__name__}: {error}")


async def last_daily_run(runtime: Runtime) -> datetime | None:
    """When the daily rules last finished (kept as a job row, so a restart does not postpone them)."""
    async with runtime.db.read_session() as session:
        return await jobs_repo.last_finished(session, "daily")


async def record_daily_run(runtime: Runtime, *, started_at: datetime, rated: int) -> None:
    """Remember a finished daily run and how many enterprises it re-rated."""
    values = {
        "id": str(uuid.uuid4()), "kind": "daily", "org_id": "credit-data", "status": "done", "rated": rated,
        "created_at": started_at, "started_at": started_at, "finished_at": utcnow(),
    }  # fmt: skip
    async with runtime.uow() as uow:
        await jobs_repo.add(uow.session, values)
        await uow.commit()
