"""The living list: recommending, suspending at once, reviewing (restore / keep / remove), history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.clock import business_date
from xinyidai_shared.errors import Conflict, DomainError, Invalid
from xinyidai_shared.events import EnterpriseDelisted, EnterpriseRecommended
from xinyidai_shared.uow import UnitOfWork

from ..adapters import repository as repo
from ..adapters.tables import ApplicationRow, MembershipPeriodRow, MembershipRow, PlatformPushRow, ReviewTaskRow
from ..config import Settings
from ..domain.credit import CreditVerdict, verdict
from ..domain.intake import ART9_EXCEPTIONS
from ..domain.membership import MemberStatus, check_review, review_due, should_suspend

REVIEW_OPEN, REVIEW_CLOSED = "open", "closed"


async def require_credit(session: AsyncSession, uscc: str, *, accepted: bool, lead: str) -> CreditVerdict:
    """The pre-filled credit verdict; refused (CREDIT_CHECK_FAILED) when failing unless ``accepted``."""
    found = verdict(await repo.credit_snapshot(session, uscc))
    if not found.passed and not accepted:
        raise DomainError("CREDIT_CHECK_FAILED", lead + ", ".join(found.reason_codes), reason_codes=list(found.reason_codes))
    return found


async def _change_status(
    uow: UnitOfWork, member: MembershipRow, status: MemberStatus, *, reason_code: str, reason: str,
    actor: str, now: datetime,
) -> None:
    """Close the open history period and open one for ``status`` from today."""
    today = business_date(now)
    current = await repo.open_period_row(uow.session, member.uscc)
    if current is not None:
        current.to_on = today
    uow.session.add(MembershipPeriodRow(
        uscc=member.uscc, status=status.value, from_on=today, reason_code=reason_code, reason=reason,
        actor=actor, changed_at=now,
    ))
    member.status = status.value
    member.updated_at = now


async def recommend(uow: UnitOfWork, app: ApplicationRow, *, actor: str, settings: Settings, now: datetime) -> None:
    """Put a recommended application's enterprise on the list, announce it, queue the platform push."""
    today = business_date(now)
    member = await repo.membership(uow.session, app.uscc, for_update=True)
    exceptions = ",".join(f for f in app.accepted_flags.split(",") if f in ART9_EXCEPTIONS)
    if member is None:
        member = MembershipRow(uscc=app.uscc, name=app.name, application_id=app.id, industry_code=app.industry_code,
                               sme_size=app.sme_size, accepted_exceptions=exceptions, status=MemberStatus.LISTED.value,
                               listed_on=today, last_reviewed_on=today, updated_at=now)
        uow.session.add(member)
    else:
        member.name, member.application_id, member.industry_code = app.name, app.id, app.industry_code
        member.sme_size, member.listed_on, member.last_reviewed_on = app.sme_size, today, today
        member.accepted_exceptions = exceptions
    await _change_status(uow, member, MemberStatus.LISTED, reason_code="RECOMMENDED",
                         reason=f"application {app.id} recommended after public notice", actor=actor, now=now)
    _announce(uow, member, now=now)


def _announce(uow: UnitOfWork, member: MembershipRow, *, now: datetime) -> None:
    """Publish EnterpriseRecommended and queue the national-platform push, both in this transaction."""
    event = EnterpriseRecommended(
        uscc=member.uscc, name=member.name, application_id=member.application_id,
        industry_code=member.industry_code, sme_size=member.sme_size,  # type: ignore[arg-type]
        recommended_on=business_date(now),
        accepted_exceptions=tuple(e for e in member.accepted_exceptions.split(",") if e),  # type: ignore[arg-type]
    )
    uow.publish(event)
    push_id = str(uuid.uuid4())
    body = {"push_id": push_id, **event.model_dump(mode="json")}
    uow.session.add(PlatformPushRow(push_id=push_id, uscc=member.uscc, payload=orjson.dumps(body).decode(),
                                    status="pending", attempts=0, next_attempt_at=now, created_at=now))


async def open_review(uow: UnitOfWork, uscc: str, *, trigger: str, detail: str, today: date) -> ReviewTaskRow:
    """The enterprise's open review task, opened now if there is none (one open task per enterprise)."""
    existing = await repo.open_review(uow.session, uscc)
    if existing is not None:
        return existing
    task = ReviewTaskRow(id=str(uuid.uuid4()), uscc=uscc, open_uscc=uscc, trigger=trigger, detail=detail[:2000],
                         opened_on=today, status=REVIEW_OPEN)
    uow.session.add(task)
    await uow.session.flush()
    return task


async def suspend(uow: UnitOfWork, uscc: str, *, reason_code: str, reason: str, now: datetime) -> bool:
    """Suspend a listed enterprise at once and open its review; False when there was nothing to do."""
    member = await repo.membership(uow.session, uscc, for_update=True)
    if member is None or not should_suspend(MemberStatus(member.status)):
        return False
    await _change_status(uow, member, MemberStatus.SUSPENDED, reason_code=reason_code, reason=reason,
                         actor="system", now=now)
    uow.publish(EnterpriseDelisted(uscc=uscc, reason_code=reason_code, reason=reason, suspended=True,
                                   delisted_on=business_date(now)))
    await open_review(uow, uscc, trigger=reason_code, detail=reason, today=business_date(now))
    return True


DECISIONS = ("keep", "remove")


async def decide_review(
    uow: UnitOfWork, review_id: str, *, decision: str, reason: str, actor: str, override: bool, now: datetime
) -> ReviewTaskRow:
    """Close a review: ``keep`` restores a suspended member (or confirms a listed one), ``remove`` delists."""
    if decision not in DECISIONS:
        raise Invalid("DECISION_UNKNOWN", f"decision is one of {', '.join(DECISIONS)}", field="decision")
    text = (reason or "").strip()
    if not text:
        raise Invalid("REASON_REQUIRED", "a review decision states its reasons", field="reason")
    task = await repo.review(uow.session, review_id, for_update=True)
    if task.status != REVIEW_OPEN:
        raise Conflict("REVIEW_CLOSED", f"review {review_id} is already decided ({task.decision})",
                       current_state=task.status)
    member = await repo.membership(uow.session, task.uscc, for_update=True)
    status = MemberStatus(member.status) if member else None
    if decision == "keep":
        await require_credit(uow.session, task.uscc, accepted=override, lead="credit conditions fail: ")
        if status is MemberStatus.SUSPENDED:
            check_review(status, restore=True)
            assert member is not None
            await _change_status(uow, member, MemberStatus.LISTED, reason_code="REVIEW_RESTORED", reason=text,
                                 actor=actor, now=now)
            _announce(uow, member, now=now)
        elif status is not MemberStatus.LISTED:
            check_review(status, restore=False)
    else:
        check_review(status, restore=False)
        assert member is not None
        await _change_status(uow, member, MemberStatus.REMOVED, reason_code="REVIEW_REMOVED", reason=text,
                             actor=actor, now=now)
        uow.publish(EnterpriseDelisted(uscc=task.uscc, reason_code="REVIEW_REMOVED", reason=text, suspended=False,
                                       delisted_on=business_date(now)))
    if member is not None:
        member.last_reviewed_on = business_date(now)
    task.status, task.open_uscc, task.decision = REVIEW_CLOSED, None, decision
    task.decided_by, task.decision_reason, task.decided_at = actor, text, now
    return task


async def open_due_reviews(uow: UnitOfWork, *, every_months: int, now: datetime) -> int:
    """Open a periodic re-review task for every current member whose last review is ``every_months`` old."""
    today, opened = business_date(now), 0
    for member in await repo.members(uow.session, [MemberStatus.LISTED, MemberStatus.SUSPENDED]):
        if review_due(member.last_reviewed_on, every_months, today) and await repo.open_review(uow.session, member.uscc) is None:
            await open_review(uow, member.uscc, trigger="PERIODIC",
                              detail=f"last reviewed {member.last_reviewed_on}", today=today)
            opened += 1
    return opened
