"""Projections of whitelist and credit-data events, kept as history; nothing here commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, bindparam, cast, func, insert, literal, null, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from claims.domain.standing import DishonestyEntry, EnterpriseHistory, ListingEntry, RatingEntry

from .tables import dishonesty as D
from .tables import loan as LN
from .tables import listing_history as L
from .tables import messaging
from .tables import rating_history as R

INBOX = messaging.inbox


async def add_listing(session: AsyncSession, *, uscc: str, on: date, listed: bool, event_id: str,
                      sme_size: str | None = None, industry_code: str | None = None,
                      accepted_exceptions: tuple[str, ...] = ()) -> None:
    """Append a listing change (recommended or delisted)."""
    await session.execute(insert(L).values(uscc=uscc, on=on, listed=listed, sme_size=sme_size,
                                           industry_code=industry_code, accepted_exceptions=_join(accepted_exceptions),
                                           event_id=event_id))


def _join(codes: tuple[str, ...]) -> str:
    return ",".join(codes)


def _split(codes: str | None) -> tuple[str, ...]:
    return tuple(code for code in (codes or "").split(",") if code)


async def add_rating(session: AsyncSession, *, uscc: str, valid_on: date, valid_from: datetime, grade: str,
                     has_report: bool, event_id: str) -> None:
    """Append a rating change."""
    await session.execute(insert(R).values(uscc=uscc, valid_on=valid_on, valid_from=valid_from, grade=grade,
                                           has_report=has_report, event_id=event_id))


async def record_dishonesty(session: AsyncSession, *, record_id: str, uscc: str, started_on: date,
                            expires_on: date | None, event_id: str | None = None) -> None:
    """Keep a dishonesty record (a redelivered one with the same id changes nothing)."""
    exists = (await session.execute(select(D.c.record_id).where(D.c.record_id == record_id))).first()
    if exists is None:
        await session.execute(insert(D).values(record_id=record_id, uscc=uscc, started_on=started_on,
                                               expires_on=expires_on, removed_on=None, event_id=event_id))


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
    # The inbox says when each event reached claims: the "known at" of point-in-time questions.
    listings = (
        await session.execute(
            select(L, INBOX.c.handled_at).outerjoin(INBOX, INBOX.c.event_id == L.c.event_id)
            .where(L.c.uscc == uscc).order_by(L.c.seq)
        )
    ).all()
    ratings = (
        await session.execute(
            select(R, INBOX.c.handled_at).outerjoin(INBOX, INBOX.c.event_id == R.c.event_id)
            .where(R.c.uscc == uscc).order_by(R.c.seq)
        )
    ).all()
    records = (
        await session.execute(select(D, INBOX.c.handled_at).outerjoin(INBOX, INBOX.c.event_id == D.c.event_id)
                              .where(D.c.uscc == uscc))
    ).all()
    return EnterpriseHistory(
        uscc=uscc,
        listings=[ListingEntry(r.on, r.seq, r.listed, r.sme_size, r.industry_code, r.handled_at, _split(r.accepted_exceptions))
                  for r in listings],
        ratings=[RatingEntry(r.valid_on, r.seq, r.grade, r.has_report, r.handled_at) for r in ratings],
        dishonesty=[DishonestyEntry(r.record_id, r.started_on, r.expires_on, r.removed_on, r.handled_at) for r in records],
    )


def _typed_null(kind):  # noqa: ANN001, ANN202 - a SQL type class
    return cast(null(), kind)


def _eligibility_inputs_statement(*, many: bool = False):  # noqa: ANN202 - a SQL statement
    """One enterprise's history and loan count; with ``many``, those of a list of enterprises, each row
    carrying its USCC (a bulk file's batch reads every history it needs in one round trip)."""
    wanted = bindparam("usccs", expanding=True) if many else bindparam("uscc")

    def of(column):  # noqa: ANN001, ANN202 - a column and its condition
        return column.in_(wanted) if many else column == wanted

    listings = select(literal("L").label("kind"), L.c.seq.label("seq"), L.c.on.label("d1"), _typed_null(Date).label("d2"),
                      L.c.listed.label("flag"), L.c.sme_size.label("s1"), L.c.industry_code.label("s2"),
                      L.c.accepted_exceptions.label("s3"), L.c.uscc.label("u")).where(of(L.c.uscc))
    ratings = select(literal("R"), R.c.seq, R.c.valid_on, _typed_null(Date), R.c.has_report, R.c.grade,
                     _typed_null(String), _typed_null(String), R.c.uscc).where(of(R.c.uscc))
    records = select(literal("D"), literal(0), D.c.started_on, D.c.expires_on, _typed_null(Boolean), D.c.record_id,
                     _typed_null(String), _typed_null(String), D.c.uscc).where(of(D.c.uscc))
    removals = select(literal("X"), literal(0), D.c.removed_on, _typed_null(Date), _typed_null(Boolean), D.c.record_id,
                      _typed_null(String), _typed_null(String), D.c.uscc).where(of(D.c.uscc), D.c.removed_on.is_not(None))
    if many:  # the first-loan rule only asks "any?": a plain count per enterprise, capped like the single form
        count = (select(literal("N"), cast(func.count(), Integer), _typed_null(Date), _typed_null(Date),
                        _typed_null(Boolean), _typed_null(String), _typed_null(String), _typed_null(String), LN.c.uscc)
                 .where(of(LN.c.uscc)).group_by(LN.c.uscc))
    else:
        loans = select(LN.c.loan_id).where(of(LN.c.uscc)).limit(10).subquery()
        count = select(literal("N"), cast(func.count(), Integer), _typed_null(Date), _typed_null(Date),
                       _typed_null(Boolean), _typed_null(String), _typed_null(String), _typed_null(String),
                       _typed_null(String)).select_from(loans)
    return union_all(listings, ratings, records, removals, count)


# Built once: the four-part UNION ALL is cached and only the USCC travels per call.
_ELIGIBILITY_INPUTS = _eligibility_inputs_statement()
_ELIGIBILITY_INPUTS_MANY = _eligibility_inputs_statement(many=True)
_IN_LIMIT = 5000  # enterprises in one IN list (each appears five times): inside every bound-parameter limit


async def eligibility_inputs(session: AsyncSession, uscc: str) -> tuple[EnterpriseHistory, int]:
    """The enterprise's history and how many of its loans are registered (counted up to 10), in one query.

    Registration is the hottest write: one UNION ALL round trip instead of four keeps it fast on SQLite,
    where every statement costs a hop to the driver's thread.
    """
    rows = (await session.execute(_ELIGIBILITY_INPUTS, {"uscc": uscc})).all()
    return _inputs(uscc, rows)


async def eligibility_inputs_many(session: AsyncSession, usccs: set[str]) -> dict[str, tuple[EnterpriseHistory, int]]:
    """``eligibility_inputs`` for many enterprises at once (a bulk file's batch), by USCC."""
    by_uscc: dict[str, list] = {u: [] for u in usccs}
    ordered = sorted(usccs)
    for start in range(0, len(ordered), _IN_LIMIT):
        part = ordered[start:start + _IN_LIMIT]
        for row in (await session.execute(_ELIGIBILITY_INPUTS_MANY, {"usccs": part})).all():
            by_uscc[row.u].append(row)
    return {u: _inputs(u, rows) for u, rows in by_uscc.items()}


def _inputs(uscc: str, rows: list) -> tuple[EnterpriseHistory, int]:
    history, removed, earlier = EnterpriseHistory(uscc=uscc), {}, 0
    for row in rows:
        if row.kind == "L":
            history.listings.append(ListingEntry(row.d1, row.seq, row.flag, row.s1, row.s2,
                                                 accepted_exceptions=_split(row.s3)))
        elif row.kind == "R":
            history.ratings.append(RatingEntry(row.d1, row.seq, row.s1, row.flag))
        elif row.kind == "X":
            removed[row.s1] = row.d1
        elif row.kind == "N":
            earlier = min(row.seq, 10)
    for row in rows:
        if row.kind == "D":
            history.dishonesty.append(DishonestyEntry(row.s1, row.d1, row.d2, removed.get(row.s1)))
    history.listings.sort(key=lambda e: e.seq)
    history.ratings.sort(key=lambda e: e.seq)
    return history, earlier
