"""Dishonesty (失信) records: recorded, ended early by repair or at expiry, listed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.dishonesty import expired_clause, in_force_clause

from .tables import dishonesty

c = dishonesty.c


async def get(session: AsyncSession, record_id: str) -> Any:
    """One record, or None."""
    return (await session.execute(select(dishonesty).where(c.record_id == record_id))).first()


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(dishonesty).values(values))


async def end(session: AsyncSession, record_id: str, *, ended_on: date, reason: str) -> None:
    await session.execute(update(dishonesty).where(c.record_id == record_id).values(ended_on=ended_on, end_reason=reason))


async def of_enterprise(session: AsyncSession, uscc: str) -> list[Any]:
    """Every record of one enterprise, ended ones included, oldest first."""
    return list(await session.execute(select(dishonesty).where(c.uscc == uscc).order_by(c.started_on)))


async def in_force(session: AsyncSession, today: date) -> list[Any]:
    """The records in force today (the public list), newest first."""
    query = (
        select(dishonesty)
        .where(in_force_clause(c.started_on, c.expires_on, c.ended_on, today))
        .order_by(c.started_on.desc(), c.record_id)
    )
    return list(await session.execute(query))


async def expired_by(session: AsyncSession, day: date) -> list[Any]:
    """Records still open whose last day in force is past on ``day``."""
    query = select(dishonesty).where(expired_clause(c.expires_on, c.ended_on, day))
    return list(await session.execute(query))
