"""Every query whitelist makes, over the session of the caller's unit of work (never committing)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from xinyidai_shared.errors import NotFound

from ..domain.commitment import Letter
from ..domain.credit import CreditSnapshot
from ..domain.membership import MemberStatus, Period
from ..domain.notice import ObjectionStatus
from .tables import (
    ApplicationRow,
    CalendarOverrideRow,
    CommitmentLetterRow,
    CreditProjectionRow,
    DishonestyProjectionRow,
    MaterialRow,
    MembershipPeriodRow,
    MembershipRow,
    ObjectionRow,
    PlatformPushRow,
    ReviewTaskRow,
    TransitionRow,
)


async def application(session: AsyncSession, application_id: str, *, for_update: bool = False) -> ApplicationRow:
    """The application, locked for the transaction when ``for_update`` (PostgreSQL; SQLite locks already)."""
    query = select(ApplicationRow).where(ApplicationRow.id == application_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("APPLICATION_NOT_FOUND", f"no application {application_id}")
    return row


async def open_application_for(session: AsyncSession, uscc: str, *, for_update: bool = False) -> ApplicationRow | None:
    query = select(ApplicationRow).where(ApplicationRow.open_uscc == uscc)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def applications(
    session: AsyncSession, *, status: str | None, uscc: str | None, limit: int, offset: int
) -> Sequence[ApplicationRow]:
    query = select(ApplicationRow).order_by(ApplicationRow.created_at.desc(), ApplicationRow.id)
    if status:
        query = query.where(ApplicationRow.status == status)
    if uscc:
        query = query.where(ApplicationRow.uscc == uscc)
    return (await session.execute(query.limit(limit).offset(offset))).scalars().all()


async def in_notice(session: AsyncSession) -> Sequence[ApplicationRow]:
    query = select(ApplicationRow).where(ApplicationRow.status == "in_notice").order_by(ApplicationRow.notice_starts_on)
    return (await session.execute(query)).scalars().all()


async def transitions(session: AsyncSession, application_id: str) -> Sequence[TransitionRow]:
    query = select(TransitionRow).where(TransitionRow.application_id == application_id).order_by(TransitionRow.seq)
    return (await session.execute(query)).scalars().all()


async def material_kinds(session: AsyncSession, application_id: str) -> list[str]:
    query = select(MaterialRow.kind).where(MaterialRow.application_id == application_id)
    return list((await session.execute(query)).scalars().all())


async def materials(session: AsyncSession, application_id: str) -> Sequence[MaterialRow]:
    """Material metadata of an application (the file contents stay unloaded)."""
    query = (
        select(MaterialRow)
        .options(defer(MaterialRow.content))
        .where(MaterialRow.application_id == application_id)
        .order_by(MaterialRow.kind)
    )
    return (await session.execute(query)).scalars().all()


async def material(session: AsyncSession, application_id: str, kind: str) -> MaterialRow | None:
    query = select(MaterialRow).where(MaterialRow.application_id == application_id, MaterialRow.kind == kind)
    return (await session.execute(query)).scalar_one_or_none()


async def objection(session: AsyncSession, objection_id: str, *, for_update: bool = False) -> ObjectionRow:
    query = select(ObjectionRow).where(ObjectionRow.id == objection_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("OBJECTION_NOT_FOUND", f"no objection {objection_id}")
    return row


async def objections(session: AsyncSession, application_id: str) -> Sequence[ObjectionRow]:
    query = select(ObjectionRow).where(ObjectionRow.application_id == application_id).order_by(ObjectionRow.received_at)
    return (await session.execute(query)).scalars().all()


async def pending_objection_count(session: AsyncSession, application_id: str) -> int:
    query = select(func.count()).where(
        ObjectionRow.application_id == application_id, ObjectionRow.status == ObjectionStatus.PENDING.value
    )
    return int((await session.execute(query)).scalar_one())


async def credit_snapshot(session: AsyncSession, uscc: str) -> CreditSnapshot:
    """What credit-data's events told us about ``uscc``: rating, report, active dishonesty records."""
    rating = await session.get(CreditProjectionRow, uscc)
    query = select(DishonestyProjectionRow.record_id).where(
        DishonestyProjectionRow.uscc == uscc, DishonestyProjectionRow.active.is_(True)
    )
    active = tuple(sorted((await session.execute(query)).scalars().all()))
    if rating is None:
        return CreditSnapshot(active_dishonesty=active)
    return CreditSnapshot(grade=rating.grade, has_report=rating.has_report, active_dishonesty=active)


async def overrides(session: AsyncSession) -> dict[date, bool]:
    """The officers' working-day override table."""
    rows = (await session.execute(select(CalendarOverrideRow))).scalars().all()
    return {row.day: row.working for row in rows}


async def unannounced_overrides(session: AsyncSession) -> Sequence[CalendarOverrideRow]:
    """Overrides whose WorkingCalendarChanged was never published, in day order, locked for the announcement."""
    query = select(CalendarOverrideRow).where(CalendarOverrideRow.announced.is_(False)).order_by(CalendarOverrideRow.day)
    return (await session.execute(query.with_for_update())).scalars().all()


async def override_rows(session: AsyncSession) -> Sequence[CalendarOverrideRow]:
    return (await session.execute(select(CalendarOverrideRow).order_by(CalendarOverrideRow.day))).scalars().all()


async def membership(session: AsyncSession, uscc: str, *, for_update: bool = False) -> MembershipRow | None:
    query = select(MembershipRow).where(MembershipRow.uscc == uscc)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def members(session: AsyncSession, statuses: Sequence[MemberStatus]) -> Sequence[MembershipRow]:
    query = select(MembershipRow).where(MembershipRow.status.in_([s.value for s in statuses]))
    return (await session.execute(query.order_by(MembershipRow.listed_on, MembershipRow.uscc))).scalars().all()


async def period_rows(session: AsyncSession, uscc: str) -> Sequence[MembershipPeriodRow]:
    query = select(MembershipPeriodRow).where(MembershipPeriodRow.uscc == uscc).order_by(MembershipPeriodRow.seq)
    return (await session.execute(query)).scalars().all()


def as_periods(rows: Sequence[MembershipPeriodRow]) -> list[Period]:
    return [Period(MemberStatus(row.status), row.from_on, row.to_on) for row in rows]


async def open_period_row(session: AsyncSession, uscc: str) -> MembershipPeriodRow | None:
    query = select(MembershipPeriodRow).where(MembershipPeriodRow.uscc == uscc, MembershipPeriodRow.to_on.is_(None))
    return (await session.execute(query.order_by(MembershipPeriodRow.seq.desc()).limit(1))).scalar_one_or_none()


async def open_review(session: AsyncSession, uscc: str) -> ReviewTaskRow | None:
    query = select(ReviewTaskRow).where(ReviewTaskRow.open_uscc == uscc)
    return (await session.execute(query)).scalar_one_or_none()


async def review(session: AsyncSession, review_id: str, *, for_update: bool = False) -> ReviewTaskRow:
    query = select(ReviewTaskRow).where(ReviewTaskRow.id == review_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("REVIEW_NOT_FOUND", f"no review task {review_id}")
    return row


async def reviews(session: AsyncSession, *, status: str | None) -> Sequence[ReviewTaskRow]:
    query = select(ReviewTaskRow).order_by(ReviewTaskRow.opened_on, ReviewTaskRow.id)
    if status:
        query = query.where(ReviewTaskRow.status == status)
    return (await session.execute(query)).scalars().all()


async def commitment_letter(session: AsyncSession, letter_id: str) -> CommitmentLetterRow | None:
    query = select(CommitmentLetterRow).where(CommitmentLetterRow.letter_id == letter_id)
    return (await session.execute(query)).scalar_one_or_none()


def as_letter(row: CommitmentLetterRow) -> Letter:
    assert row.seq is not None
    return Letter(letter_id=row.letter_id, uscc=row.uscc, seq=row.seq, published_on=row.published_on,
                  document_sha256=row.document_sha256, voided_on=row.voided_on,
                  void_reason_code=row.void_reason_code)


async def letters(session: AsyncSession, uscc: str) -> list[Letter]:
    """Every commitment letter of ``uscc`` that credit-data announced (its history, in arrival order)."""
    query = select(CommitmentLetterRow).where(CommitmentLetterRow.uscc == uscc).order_by(CommitmentLetterRow.seq)
    return [as_letter(row) for row in (await session.execute(query)).scalars().all()]


async def member_letters(session: AsyncSession, statuses: Sequence[MemberStatus]) -> dict[str, list[Letter]]:
    """The commitment letters of every member in ``statuses``, by USCC (one query for a whole list)."""
    members = select(MembershipRow.uscc).where(MembershipRow.status.in_([s.value for s in statuses]))
    query = select(CommitmentLetterRow).where(CommitmentLetterRow.uscc.in_(members)).order_by(CommitmentLetterRow.seq)
    found: dict[str, list[Letter]] = {}
    for row in (await session.execute(query)).scalars().all():
        found.setdefault(row.uscc, []).append(as_letter(row))
    return found


async def recent_pushes(session: AsyncSession, limit: int = 500) -> Sequence[PlatformPushRow]:
    """Deliveries to the national platform, newest first."""
    return (await session.execute(select(PlatformPushRow).order_by(PlatformPushRow.seq.desc()).limit(limit))).scalars().all()


PROJECTION_CHUNK = 500  # ids per IN (...): well inside every driver's bound-parameter limit


async def credit_valid_from(session: AsyncSession, usccs: Sequence[str]) -> dict[str, datetime]:
    """When each known enterprise's current rating took effect (absent: no rating yet), one query per chunk."""
    table = CreditProjectionRow.__table__
    found: dict[str, datetime] = {}
    for start in range(0, len(usccs), PROJECTION_CHUNK):
        chunk = usccs[start : start + PROJECTION_CHUNK]
        rows = await session.execute(select(table.c.uscc, table.c.valid_from).where(table.c.uscc.in_(chunk)))
        found.update((uscc, valid_from) for uscc, valid_from in rows)
    return found


async def store_credit(session: AsyncSession, rows: Sequence[dict], *, known: Collection[str]) -> None:
    """Write the newest rating of each enterprise: one executemany of inserts, one of updates.

    ``rows`` carry uscc, grade, has_report, valid_from and event_id; ``known`` are the enterprises that
    already have a row (read in this transaction). ORM copies of these rows in the session are expired so
    a later handler of the same transaction reads what was written here.
    """
    table = CreditProjectionRow.__table__
    fresh = [row for row in rows if row["uscc"] not in known]
    changed = [{**row, "key": row["uscc"]} for row in rows if row["uscc"] in known]
    if fresh:
        await session.execute(insert(table), fresh)
    if changed:
        statement = (update(table).where(table.c.uscc == bindparam("key"))
                     .values(grade=bindparam("grade"), has_report=bindparam("has_report"),
                             valid_from=bindparam("valid_from"), event_id=bindparam("event_id")))
        await session.execute(statement, changed)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CreditProjectionRow):
            session.expire(obj)
