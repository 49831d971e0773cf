"""Enterprises' authorisations for banks to read their credit report, and the log of every report read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import authorisation, credit_query

a, q = authorisation.c, credit_query.c


async def authorisation_by_ref(session: AsyncSession, ref: str) -> Any:
    return (await session.execute(select(authorisation).where(a.ref == ref))).first()


async def open_authorisation(session: AsyncSession, *, uscc: str, bank_id: str, purpose: str, valid_until: date) -> Any:
    """An unrevoked authorisation on exactly these terms, or None."""
    query = select(authorisation).where(
        a.uscc == uscc, a.bank_id == bank_id, a.purpose == purpose, a.valid_until == valid_until, a.revoked_at.is_(None)
    )
    return (await session.execute(query)).first()


async def add_authorisation(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(authorisation).values(values))


async def revoke(session: AsyncSession, ref: str, at: datetime) -> None:
    await session.execute(update(authorisation).where(a.ref == ref).values(revoked_at=at))


async def unannounced_authorisations(session: AsyncSession) -> list[Any]:
    """Authorisations never published to the other services (given before they were shared), locked, oldest first."""
    query = select(authorisation).where(a.announced.is_(False)).order_by(a.created_at, a.ref).with_for_update()
    return list(await session.execute(query))


async def mark_announced(session: AsyncSession, refs: list[str]) -> None:
    await session.execute(update(authorisation).where(a.ref.in_(refs)).values(announced=True))


async def authorisations_of(session: AsyncSession, uscc: str) -> list[Any]:
    """The authorisations an enterprise has given, revoked ones included, oldest first."""
    return list(await session.execute(select(authorisation).where(a.uscc == uscc).order_by(a.created_at)))


async def log_query(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(credit_query).values(values))


async def queries_of(session: AsyncSession, uscc: str) -> list[Any]:
    """Every read of one enterprise's report, newest first."""
    return list(await session.execute(select(credit_query).where(q.uscc == uscc).order_by(q.queried_at.desc(), q.id.desc())))


async def queries(session: AsyncSession, *, org_id: str | None, since: datetime | None, limit: int) -> list[Any]:
    """Report reads across enterprises, newest first, optionally by one organisation and from an instant."""
    query = select(credit_query).order_by(q.queried_at.desc(), q.id.desc()).limit(limit)
    if org_id:
        query = query.where(q.org_id == org_id)
    if since is not None:
        query = query.where(q.queried_at >= since)
    return list(await session.execute(query))
