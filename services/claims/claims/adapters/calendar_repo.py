"""The working-day overrides claims learns from whitelist, and the notices they time; nothing here commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import batch as BT
from .tables import workday_override as W


async def overrides(session: AsyncSession) -> dict[date, bool]:
    """The officers' override table: day -> working?"""
    return {row.day: row.working for row in (await session.execute(select(W.c.day, W.c.working))).all()}


async def set_override(session: AsyncSession, *, day: date, working: bool, note: str, set_by: str, set_at: datetime) -> None:
    """Keep the newest declaration for ``day`` (an older one arriving late changes nothing)."""
    current = (await session.execute(select(W.c.set_at).where(W.c.day == day))).first()
    values = {"working": working, "note": note[:200], "set_by": set_by[:100], "set_at": set_at}
    if current is None:
        await session.execute(insert(W).values(day=day, **values))
    elif current.set_at <= set_at:
        await session.execute(update(W).where(W.c.day == day).values(**values))


async def running_notices(session: AsyncSession) -> list[tuple[str, date, int]]:
    """Batches on notice: (batch id, first day, working days), to re-time when the calendar changes."""
    query = select(BT.c.batch_id, BT.c.notice_starts_on, BT.c.notice_working_days).where(BT.c.state == "on_notice")
    return [(r.batch_id, r.notice_starts_on, r.notice_working_days) for r in (await session.execute(query)).all()]


async def retime_notice(session: AsyncSession, batch_id: str, ends_on: date) -> None:
    """Move a running notice's last day."""
    await session.execute(update(BT).where(BT.c.batch_id == batch_id).values(notice_ends_on=ends_on))
