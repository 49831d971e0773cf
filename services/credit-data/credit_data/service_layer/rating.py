"""Re-rating: recompute profiles and grades for a set of enterprises in one transaction.

Called once per pushed batch (for the enterprises it touched), by the bulk job after a file, by the daily
run and by the re-rate-all command. A new rating row is opened only when something about the rating
changed; ``CreditRatingChanged`` is published only when the grade changed (or on the first rating).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from xinyidai_shared.clock import business_date
from xinyidai_shared.events import CreditRatingChanged
from xinyidai_shared.uow import UnitOfWork

from ..adapters import ratings_repo
from ..adapters.records_repo import records_for
from ..domain.periods import index_of
from ..domain.profiles import build_profile
from ..domain.risk import RiskHit, grade_hit, profile_hits
from ..domain.scorecard import rate
from .alerts import raise_alerts


async def rerate(uow: UnitOfWork, usccs: Sequence[str], *, now: datetime) -> int:
    """Rate these enterprises as of ``now``; returns how many got a new rating."""
    session = uow.session
    usccs = sorted(set(usccs))
    today = business_date(now)
    as_of = index_of(today)
    await ratings_repo.lock_enterprises(session, usccs)
    records = await records_for(session, usccs)
    dishonest = await ratings_repo.active_dishonesty_counts(session, usccs, today)
    overdue = await ratings_repo.overdue_loan_counts(session, usccs)
    current = await ratings_repo.current_ratings(session, usccs)
    closing: list[int] = []
    opening: list[dict] = []
    hits: list[tuple[str, RiskHit]] = []
    for uscc in usccs:
        profile = build_profile(
            uscc, records[uscc], as_of_period=as_of, active_dishonesty=dishonest.get(uscc, 0), overdue_loans=overdue.get(uscc, 0)
        )
        result = rate(profile)
        hits += [(uscc, hit) for hit in profile_hits(profile)]
        before = current.get(uscc)
        row = ratings_repo.rating_row(uscc, result, as_of, now)
        # A rating whose every line reads the same stays in force; any change opens a new history row.
        if before is not None and (before.grade, before.score, before.model_version, before.reason_codes, before.factors) == (
            row["grade"], row["score"], row["model_version"], row["reason_codes"], row["factors"]
        ):
            continue
        if before is not None:
            closing.append(before.id)
        opening.append(row)
        previous = before.grade if before is not None else None
        if previous != result.grade:
            uow.publish(
                CreditRatingChanged(
                    uscc=uscc,
                    grade=result.grade,  # type: ignore[arg-type]
                    previous_grade=previous,  # type: ignore[arg-type]
                    score=result.score,
                    model_version=result.model_version,
                    reason_codes=result.reason_codes,
                    has_report=result.has_report,
                    valid_from=now,
                )
            )
            downgrade = grade_hit(previous, result.grade, now.isoformat())
            if downgrade is not None:
                hits.append((uscc, downgrade))
    await ratings_repo.replace_ratings(session, closing, opening, now)
    await raise_alerts(uow, hits, now=now)
    return len(opening)
