"""The recommended list: public reading, membership history, re-reviews, calendar overrides, pushes."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Query

from xinyidai_shared.auth import CALENDAR_KEEPERS, CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.errors import NotFound
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters import repository as repo
from ..adapters.tables import MembershipRow, ReviewTaskRow
from ..config import Settings
from ..domain.commitment import Letter, current, flags_for, newest_first
from ..domain.membership import MemberStatus, status_on
from ..schemas import (
    ListedOn,
    MemberDetail,
    MemberRead,
    OverrideRead,
    OverrideWrite,
    PeriodRead,
    PushRead,
    ReviewDecision,
    ReviewRead,
    SweepResult,
)
from ..service_layer import calendar, listing
from .deps import letter_read, now_of, settings_of

router = APIRouter(tags=["recommended list"])


def member_read(row: MembershipRow, letters: list[Letter]) -> MemberRead:
    letter = current(letters)
    return MemberRead(uscc=row.uscc, name=row.name, status=row.status, industry_code=row.industry_code,
                      sme_size=row.sme_size, listed_on=row.listed_on, last_reviewed_on=row.last_reviewed_on,
                      application_id=row.application_id, commitment_letter=letter_read(letter),
                      flags=flags_for(letter))


def review_read(row: ReviewTaskRow) -> ReviewRead:
    return ReviewRead(id=row.id, uscc=row.uscc, trigger=row.trigger, detail=row.detail, opened_on=row.opened_on,
                      status=row.status, decision=row.decision, decided_by=row.decided_by,
                      decision_reason=row.decision_reason, decided_at=row.decided_at)


@router.get("/public/list", response_model=list[MemberRead])
async def current_list(runtime=Depends(get_runtime)) -> list[MemberRead]:  # noqa: ANN001
    """Enterprises on the recommended list today (public, no credential)."""
    async with runtime.db.read_session() as session:
        rows = await repo.members(session, [MemberStatus.LISTED])
        letters = await repo.member_letters(session, [MemberStatus.LISTED])
    return [member_read(r, letters.get(r.uscc, [])) for r in rows]


@router.get("/public/list/{uscc}", response_model=MemberDetail)
async def membership(uscc: str, runtime=Depends(get_runtime)) -> MemberDetail:  # noqa: ANN001
    """An enterprise's place on the list and its whole history (public)."""
    async with runtime.db.read_session() as session:
        row = await repo.membership(session, validate_uscc(uscc))
        if row is None:
            raise NotFound("NOT_A_MEMBER", f"{uscc} has never been on the list")
        history = [PeriodRead(status=p.status, from_on=p.from_on, to_on=p.to_on, reason_code=p.reason_code)
                   for p in await repo.period_rows(session, uscc)]
        letters = await repo.letters(session, row.uscc)
    return MemberDetail(**dict(member_read(row, letters)), history=history,
                        commitment_letters=[letter_read(letter) for letter in newest_first(letters)])


@router.get("/public/list/{uscc}/on", response_model=ListedOn)
async def listed_on(uscc: str, day: date = Query(alias="date"), runtime=Depends(get_runtime)) -> ListedOn:  # noqa: ANN001
    """Was the enterprise listed (not suspended, not removed) on that Asia/Shanghai date? (public)"""
    async with runtime.db.read_session() as session:
        periods = repo.as_periods(await repo.period_rows(session, validate_uscc(uscc)))
    status = status_on(periods, day)
    return ListedOn(uscc=uscc, on=day, status=status.value if status else None, listed=status is MemberStatus.LISTED)


@router.get("/reviews", response_model=list[ReviewRead])
async def list_reviews(
    status: str | None = Query(default="open", max_length=10),
    _: Principal = Depends(require(*CREDIT_FILE_READERS)),
    runtime=Depends(get_runtime),  # noqa: ANN001
) -> list[ReviewRead]:
    """Re-review tasks (open ones by default) for officers."""
    async with runtime.db.read_session() as session:
        return [review_read(r) for r in await repo.reviews(session, status=status or None)]


@router.post("/reviews/{review_id}/decision", response_model=ReviewRead)
async def decide_review(
    review_id: str,
    body: ReviewDecision,
    principal: Principal = Depends(require(Role.CREDIT_OFFICE)),
    uow: UnitOfWork = Depends(get_uow),
    now: datetime = Depends(now_of),
) -> ReviewRead:
    """Keep (restores a suspended member) or remove; keeping needs a passing credit verdict or an override."""
    task = await listing.decide_review(uow, review_id, decision=body.decision, reason=body.reason,
                                       actor=principal.org_id, override=body.override, now=now)
    answer = review_read(task)
    await uow.commit()
    return answer


@router.post("/reviews/sweep", response_model=SweepResult)
async def sweep_reviews(
    _: Principal = Depends(require(Role.CREDIT_OFFICE, Role.SERVICE)),
    uow: UnitOfWork = Depends(get_uow),
    settings: Settings = Depends(settings_of),
    now: datetime = Depends(now_of),
) -> SweepResult:
    """Open the periodic re-reviews that are due now (the service also does this on a timer)."""
    opened = await listing.open_due_reviews(uow, every_months=settings.rereview_months, now=now)
    await uow.commit()
    return SweepResult(opened=opened)


@router.get("/public/calendar/overrides", response_model=list[OverrideRead])
async def list_overrides(runtime=Depends(get_runtime)) -> list[OverrideRead]:  # noqa: ANN001
    """The working-day overrides officers entered (public: they decide notice periods)."""
    async with runtime.db.read_session() as session:
        return [OverrideRead(day=r.day, working=r.working, note=r.note, set_by=r.set_by, set_at=r.set_at)
                for r in await repo.override_rows(session)]


@router.put("/calendar/overrides/{day}", response_model=OverrideRead)
async def put_override(
    day: date,
    body: OverrideWrite,
    principal: Principal = Depends(require(*CALENDAR_KEEPERS)),
    uow: UnitOfWork = Depends(get_uow),
    now: datetime = Depends(now_of),
) -> OverrideRead:
    """Declare a day a working or rest day (for years the holiday data lacks); running notices re-time."""
    row = await calendar.set_override(uow, day, working=body.working, note=body.note, actor=principal.org_id, now=now)
    answer = OverrideRead(day=row.day, working=row.working, note=row.note, set_by=row.set_by, set_at=row.set_at)
    await uow.commit()
    return answer


@router.get("/platform-pushes", response_model=list[PushRead])
async def list_pushes(
    _: Principal = Depends(require(*CREDIT_FILE_READERS)), runtime=Depends(get_runtime)  # noqa: ANN001
) -> list[PushRead]:
    """Deliveries of recommendations to the national platform and their state (officers)."""
    async with runtime.db.read_session() as session:
        rows = await repo.recent_pushes(session)
        return [PushRead(push_id=r.push_id, uscc=r.uscc, status=r.status, attempts=r.attempts,
                         last_error=r.last_error, created_at=r.created_at, sent_at=r.sent_at) for r in rows]
