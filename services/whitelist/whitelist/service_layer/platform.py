"""Delivering queued recommendations to the national platform, retried with backoff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from xinyidai_shared.uow import UnitOfWork

from ..adapters.national_platform import PlatformClient
from ..adapters.tables import PlatformPushRow

BATCH = 50
MAX_BACKOFF_S = 600


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 2, 4, 8 ... seconds, at most ten minutes."""
    return timedelta(seconds=min(2**attempts, MAX_BACKOFF_S))


async def push_due(
    uow_factory: Callable[[], UnitOfWork], client: PlatformClient, *, max_attempts: int, now: datetime
) -> int:
    """Try every due pending push once; returns how many the platform accepted."""
    async with uow_factory() as uow:
        query = (
            select(PlatformPushRow.seq, PlatformPushRow.push_id, PlatformPushRow.payload)
            .where(PlatformPushRow.status == "pending", PlatformPushRow.next_attempt_at <= now)
            .order_by(PlatformPushRow.seq)
            .limit(BATCH)
        )
        due = (await uow.session.execute(query)).all()
    accepted = 0
    for seq, push_id, payload in due:
        # The HTTP call happens outside any transaction; the outcome is recorded in a short one after.
        error = await client.push(push_id, payload)
        async with uow_factory() as uow:
            row = await uow.session.get(PlatformPushRow, seq)
            if row is None or row.status != "pending":
                continue
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, None
                accepted += 1
            else:
                row.last_error = error
                row.next_attempt_at = now + backoff(row.attempts)
                if row.attempts >= max_attempts:
                    row.status = "failed"
            await uow.commit()
    return accepted
