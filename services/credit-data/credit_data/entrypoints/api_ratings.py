"""Rating endpoints: the rating in force (now or on a date), its history, the profile, re-rate-all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.clock import SHANGHAI, today_shanghai, utcnow
from xinyidai_shared.errors import Invalid, NotFound
from xinyidai_shared.money import format_fen
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters import ratings_repo
from ..adapters.records_repo import records_for
from ..domain.periods import format_period, index_of
from ..domain.profiles import build_profile
from ..domain.scorecard import LENDING_GRADES, UNRATED
from ..schemas import JobRead, RatingRead
from ..service_layer import jobs

router = APIRouter(prefix="/v1", tags=["ratings"])
readers = require(*CREDIT_FILE_READERS, Role.SERVICE)


def rating_read(row: Any) -> RatingRead:
    """A stored rating as the API shows it."""
    return RatingRead(
        uscc=row.uscc,
        grade=row.grade,
        score=row.score,
        lends=row.grade in LENDING_GRADES,
        has_report=row.grade != UNRATED,
        model_version=row.model_version,
        reason_codes=orjson.loads(row.reason_codes),
        factors=orjson.loads(row.factors),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _instant(on: date | None, at: datetime | None) -> datetime:
    if on is not None and at is not None:
        raise Invalid("QUERY_AMBIGUOUS", "give either on (a date) or at (an instant), not both")
    if at is not None:
        if at.tzinfo is None:
            raise Invalid("INSTANT_NAIVE", "at must carry a time zone, e.g. 2026-05-01T08:00:00Z", field="at")
        return at
    if on is not None:
        # "The rating on date D" is the one in force at the end of that Asia/Shanghai day.
        return datetime.combine(on + timedelta(days=1), time(), SHANGHAI) - timedelta(microseconds=1)
    return utcnow()


@router.get("/enterprises/{uscc}/rating", response_model=RatingRead)
async def get_rating(
    uscc: str,
    request: Request,
    on: date | None = Query(None, description="business date (Asia/Shanghai): the rating in force at its end"),
    at: datetime | None = Query(None, description="an instant with time zone"),
    _: Principal = Depends(readers),
) -> RatingRead:
    """The rating in force now, on a date, or at an instant, with its score, reasons and factors."""
    validate_uscc(uscc)
    instant = _instant(on, at)
    async with get_runtime(request).db.read_session() as session:
        row = await ratings_repo.rating_at(session, uscc, instant)
    if row is None:
        raise NotFound("RATING_NOT_FOUND", f"{uscc} had no rating at {instant.isoformat()}")
    return rating_read(row)


@router.get("/enterprises/{uscc}/ratings", response_model=list[RatingRead])
async def get_rating_history(uscc: str, request: Request, _: Principal = Depends(readers)) -> list[RatingRead]:
    """Every rating the enterprise has had, with validity times, oldest first."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return [rating_read(r) for r in await ratings_repo.rating_history(session, uscc)]


async def profile_view(session: Any, uscc: str) -> dict[str, Any]:
    """Per-source facts (coverage, on-time ratios, arrears, trends) as of today."""
    today = today_shanghai()
    records = (await records_for(session, [uscc]))[uscc]
    profile = build_profile(uscc, records, as_of_period=index_of(today))
    sources = {}
    for name, sp in sorted(profile.sources.items()):
        view = {k: getattr(sp, k) for k in sp.__slots__ if k not in {"source", "arrears_fen"}}  # type: ignore[attr-defined]
        view["arrears"] = format_fen(sp.arrears_fen)
        view["latest_period"] = format_period(sp.latest_period) if sp.latest_period is not None else None
        sources[name] = view
    return {"uscc": uscc, "as_of": today.isoformat(), "sources": sources}


@router.get("/enterprises/{uscc}/profile")
async def get_profile(uscc: str, request: Request, _: Principal = Depends(readers)) -> dict[str, Any]:
    """What the enterprise's data says per source: months covered, on-time ratios, arrears, trends."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return await profile_view(session, uscc)


@router.post("/ratings/rerate-all", status_code=202, response_model=JobRead)
async def rerate_all(_: Principal = Depends(require(Role.CREDIT_OFFICE)), uow: UnitOfWork = Depends(get_uow)) -> Any:
    """Queue a re-rating of every enterprise (after a scorecard change); follow it as a job."""
    row = await jobs.queue_rerate(uow)
    await uow.commit()
    return JobRead.model_validate(row)
