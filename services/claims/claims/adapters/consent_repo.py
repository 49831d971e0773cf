"""The enterprises' authorisations (from credit-data) and the log of every standing read; nothing here commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from xinyidai_shared.consent import Consent

from .tables import credit_authorisation as A
from .tables import standing_query as Q


async def granted(session: AsyncSession, *, ref: str, uscc: str, bank_id: str, purpose: str, valid_until: date,
                  granted_at: datetime) -> None:
    """Keep an authorisation; a revocation that arrived first keeps it revoked."""
    values = {"uscc": uscc, "bank_id": bank_id, "purpose": purpose[:200], "valid_until": valid_until, "granted_at": granted_at}
    if (await session.execute(select(A.c.ref).where(A.c.ref == ref))).first() is None:
        await session.execute(insert(A).values(ref=ref, revoked_at=None, **values))
    else:
        await session.execute(update(A).where(A.c.ref == ref).values(**values))


async def revoked(session: AsyncSession, *, ref: str, uscc: str, bank_id: str, revoked_at: datetime) -> None:
    """Mark an authorisation withdrawn (the first withdrawal counts)."""
    row = (await session.execute(select(A.c.revoked_at).where(A.c.ref == ref))).first()
    if row is None:  # the grant predates claims' copy: keep the withdrawal so a late grant stays unusable
        await session.execute(insert(A).values(ref=ref, uscc=uscc, bank_id=bank_id, purpose="", valid_until=date.min,
                                               granted_at=revoked_at, revoked_at=revoked_at))
    elif row.revoked_at is None:
        await session.execute(update(A).where(A.c.ref == ref).values(revoked_at=revoked_at))


async def consent(session: AsyncSession, ref: str) -> Consent | None:
    """The authorisation ``ref`` names, or None."""
    row = (await session.execute(select(A).where(A.c.ref == ref))).first()
    if row is None:
        return None
    return Consent(row.ref, row.uscc, row.bank_id, row.valid_until, row.revoked_at is not None)


async def log_read(session: AsyncSession, **values: Any) -> None:
    """Remember who read an enterprise's standing, as whom, why, about which day and under which authorisation."""
    await session.execute(insert(Q).values(**values))


async def reads(session: AsyncSession, uscc: str, *, limit: int) -> list[dict[str, Any]]:
    """The reads of one enterprise's standing, newest first."""
    query = select(Q).where(Q.c.uscc == uscc).order_by(Q.c.queried_at.desc(), Q.c.seq.desc()).limit(limit)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]
