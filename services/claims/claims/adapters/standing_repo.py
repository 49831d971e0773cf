"""Projections of whitelist and credit-data events, kept as history; nothing here commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from claims.domain.standing import DishonestyEntry, EnterpriseHistory, ListingEntry, RatingEntry

from .tables import dishonesty as D
from .tables import listing_history as L
from .tables import rating_history as R


async def add_listing(session: AsyncSession, *, uscc: str, on: date, listed: bool, event_id: str,
                      sme_size: str | None = None, industry_code: str | None = None) -> None:
    """Append a listing change (recommended or delisted)."""
    await session.execute(insert(L).values(uscc=uscc, on=on, listed=listed, sme_size=sme_size,
                                           industry_code=industry_code, event_id=event_id))


async def add_rating(session: AsyncSession, *, uscc: str, valid_on: date, valid_from: datetime, grade: str,
                     has_report: bool, event_id: str) -> None:
    """Append a rating change."""
    await session.execute(insert(R).values(uscc=uscc, valid_on=valid_on, valid_from=valid_from, grade=grade,
                                           has_report=has_report, event_id=event_id))


async def record_dishonesty(session: AsyncSession, *, record_id: str, uscc: str, started_on: date,
                            expires_on: date | None) -> None:
    """Keep a dishonesty record (a redelivered one with the same id changes nothing)."""
    exists = (await session.execute(select(D.c.record_id).where(D.c.record_id == record_id))).first()
    if exists is None:
        await session.execute(insert(D).values(record_id=record_id, uscc=uscc, started_on=started_on,
                                               expires_on=expires_on, removed_on=None))


async def remove_dishonesty(session: AsyncSession, *, record_id: str, uscc: str, removed_on: date) -> None:
    """Mark a record removed from a day on; a removal that arrives first leaves a placeholder row."""
    exists = (await session.execute(select(D.c.record_id).where(D.c.record_id == record_id))).first()
    if exists is None:
        # Kafka orders per key (the USCC), so this only happens when the record predates our history.
        await session.execute(insert(D).values(record_id=record_id, uscc=uscc, started_on=date.min,
                                               expires_on=None, removed_on=removed_on))
        return
    await session.execute(update(D).where(D.c.record_id == record_id).values(removed_on=removed_on))


async def history(session: AsyncSession, uscc: str) -> EnterpriseHistory:
    """Everything known about one enterprise, for point-in-time questions."""
    listings = (await session.execute(select(L).where(L.c.uscc == uscc).order_by(L.c.seq))).all()
    ratings = (await session.execute(select(R).where(R.c.uscc == uscc).order_by(R.c.seq))).all()
    records = (await session.execute(select(D).where(D.c.uscc == uscc))).all()
    return EnterpriseHistory(
        uscc=uscc,
        listings=[ListingEntry(r.on, r.seq, r.listed, r.sme_size, r.industry_code) for r in listings],
        ratings=[RatingEntry(r.valid_on, r.seq, r.grade, r.has_report) for r in ratings],
        dishonesty=[DishonestyEntry(r.record_id, r.started_on, r.expires_on, r.removed_on) for r in records],
    )
