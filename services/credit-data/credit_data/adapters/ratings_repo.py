"""Ratings with validity times, plus the facts the scorecard reads from other tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.dishonesty import in_force_clause

from ..domain.scorecard import Rating
from .tables import dishonesty, feed_record, loan_exposure, rating, rating_dirty

CHUNK = 500


async def lock_enterprises(session: AsyncSession, usccs: Sequence[str]) -> None:
    """Serialise writers per enterprise on PostgreSQL (SQLite writers already hold the database lock).

    Without it two transactions re-rating one enterprise at once could both close its rating and open two.
    Locks are taken in code order, so two writers never wait on each other in a cycle.
    """
    connection = await session.connection()
    if connection.dialect.name != "postgresql" or not usccs:
        return
    await connection.exec_driver_sql(
        "SELECT pg_advisory_xact_lock(hashtext(u)) FROM (SELECT unnest($1::text[]) AS u ORDER BY 1) AS ordered",
        (sorted(set(usccs)),),
    )


async def current_ratings(session: AsyncSession, usccs: Sequence[str]) -> dict[str, Any]:
    """The rating in force now (``valid_to`` open) per enterprise."""
    found: dict[str, Any] = {}
    c = rating.c
    for start in range(0, len(usccs), CHUNK):
        chunk = usccs[start : start + CHUNK]
        rows = await session.execute(
            select(c.id, c.uscc, c.grade, c.score, c.model_version, c.reason_codes, c.factors).where(
                c.uscc.in_(chunk), c.valid_to.is_(None)
            )
        )
        found.update({row.uscc: row for row in rows})
    return found


async def replace_ratings(session: AsyncSession, closing_ids: list[int], rows: list[dict[str, Any]], now: datetime) -> None:
    """Close the superseded ratings at ``now`` and open the new ones from ``now``."""
    for start in range(0, len(closing_ids), CHUNK):
        await session.execute(update(rating).where(rating.c.id.in_(closing_ids[start : start + CHUNK])).values(valid_to=now))
    if rows:
        await session.execute(insert(rating), rows)


def rating_row(uscc: str, result: Rating, as_of_period: int, now: datetime) -> dict[str, Any]:
    """The table row for a freshly computed rating."""
    factors = [{"code": f.code, "points": f.points, "detail": f.detail} for f in result.factors]
    return {
        "uscc": uscc,
        "grade": result.grade,
        "score": result.score,
        "model_version": result.model_version,
        "reason_codes": orjson.dumps(list(result.reason_codes)).decode(),
        "factors": orjson.dumps(factors).decode(),
        "as_of_period": as_of_period,
        "valid_from": now,
        "valid_to": None,
    }


async def rating_at(session: AsyncSession, uscc: str, instant: datetime) -> Any:
    """The rating that was in force at ``instant`` (None before the first one)."""
    c = rating.c
    query = (
        select(rating)
        .where(c.uscc == uscc, c.valid_from <= instant, or_(c.valid_to.is_(None), c.valid_to > instant))
        .order_by(c.valid_from.desc())
        .limit(1)
    )
    return (await session.execute(query)).first()


async def rating_history(session: AsyncSession, uscc: str) -> list[Any]:
    """Every rating an enterprise has had, oldest first."""
    return list(await session.execute(select(rating).where(rating.c.uscc == uscc).order_by(rating.c.valid_from, rating.c.id)))


async def active_dishonesty_counts(session: AsyncSession, usccs: Sequence[str], today: date) -> dict[str, int]:
    """Dishonesty records in force today per enterprise."""
    c = dishonesty.c
    counts: dict[str, int] = {}
    for start in range(0, len(usccs), CHUNK):
        rows = await session.execute(
            select(c.uscc, func.count())
            .where(
                c.uscc.in_(usccs[start : start + CHUNK]), in_force_clause(c.started_on, c.expires_on, c.ended_on, today)
            )
            .group_by(c.uscc)
        )
        counts.update({u: n for u, n in rows})
    return counts


async def overdue_loan_counts(session: AsyncSession, usccs: Sequence[str]) -> dict[str, int]:
    """Active bank loans that are overdue, per enterprise (from the claims service's loan events)."""
    c = loan_exposure.c
    counts: dict[str, int] = {}
    for start in range(0, len(usccs), CHUNK):
        rows = await session.execute(
            select(c.uscc, func.count())
            .where(c.uscc.in_(usccs[start : start + CHUNK]), and_(c.active, c.days_past_due > 0))
            .group_by(c.uscc)
        )
        counts.update({u: n for u, n in rows})
    return counts


async def mark_dirty(session: AsyncSession, usccs: set[str]) -> None:
    """Queue enterprises for re-rating (the bulk path rates them once, after the file)."""
    if not usccs:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        sql = "INSERT INTO rating_dirty (uscc) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING"
        await connection.exec_driver_sql(sql, (sorted(usccs),))
    else:
        await connection.exec_driver_sql("INSERT OR IGNORE INTO rating_dirty (uscc) VALUES (?)", [(u,) for u in sorted(usccs)])


async def take_dirty(session: AsyncSession, limit: int) -> list[str]:
    """Up to ``limit`` queued enterprises, removed from the queue in the caller's transaction."""
    usccs = list((await session.execute(select(rating_dirty.c.uscc).order_by(rating_dirty.c.uscc).limit(limit))).scalars())
    if usccs:
        await session.execute(delete(rating_dirty).where(rating_dirty.c.uscc.in_(usccs)))
    return usccs


async def enterprises_after(session: AsyncSession, after: str, limit: int) -> list[str]:
    """The next ``limit`` enterprises with any data or rating, in code order (keyset pagination)."""
    found: set[str] = set()
    for column in (feed_record.c.uscc, rating.c.uscc):
        query = select(column).where(column > after).group_by(column).order_by(column).limit(limit)
        found.update((await session.execute(query)).scalars())
    return sorted(found)[:limit]


async def stale_model_exists(session: AsyncSession, model_version: str) -> bool:
    """Whether any rating in force was computed by another scorecard version."""
    c = rating.c
    row = (await session.execute(select(c.id).where(c.valid_to.is_(None), c.model_version != model_version).limit(1))).first()
    return row is not None
