"""Handlers of credit-data's events: keep the local credit projection, suspend members at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from xinyidai_shared.clock import business_date, utcnow
from xinyidai_shared.events import (
    CommitmentLetterPublished,
    CommitmentLetterVoided,
    CreditRatingChanged,
    DishonestyRecorded,
    DishonestyRemoved,
    Envelope,
    RiskAlertRaised,
)
from xinyidai_shared.logs import correlation_id
from xinyidai_shared.uow import UnitOfWork

from ..adapters import repository as repo
from ..adapters.tables import CreditProjectionRow, DishonestyProjectionRow
from ..domain.credit import at_least_a
from ..domain.membership import MemberStatus
from . import listing
from .commitment_letters import on_letter_published, on_letter_voided


async def on_rating_changed(uow: UnitOfWork, event: CreditRatingChanged, envelope: Envelope, *, now: datetime) -> None:
    """Keep the newest rating; a rating below A suspends a listed enterprise at once."""
    row = await uow.session.get(CreditProjectionRow, event.uscc)
    if row is not None and row.valid_from > event.valid_from:
        return  # an older rating arriving late must not overwrite (or act on) the current one
    if row is None:
        row = CreditProjectionRow(uscc=event.uscc, grade=event.grade, has_report=event.has_report,
                                  valid_from=event.valid_from, event_id=str(envelope.id))
        uow.session.add(row)
    else:
        row.grade, row.has_report, row.valid_from = event.grade, event.has_report, event.valid_from
        row.event_id = str(envelope.id)
    if not at_least_a(event.grade):
        reason = f"credit rating changed to {event.grade} (from {event.previous_grade or 'none'})"
        await listing.suspend(uow, event.uscc, reason_code="CREDIT_RATING_BELOW_A", reason=reason, now=now)


async def on_ratings_changed(uow: UnitOfWork, events: list[tuple[CreditRatingChanged, Envelope]], *,
                             now: datetime) -> None:
    """A poll's run of ratings at once, with the effect of applying them one by one in order.

    One read of the projection for the whole run, one write of the newest rating per enterprise, then the
    (rare) suspensions in arrival order: a re-rating of every enterprise reaches the list in seconds.
    """
    await uow.session.flush()  # ORM changes of earlier events in this transaction are visible to the read
    usccs = list(dict.fromkeys(event.uscc for event, _ in events))
    current = await repo.credit_valid_from(uow.session, usccs)
    known = set(current)
    newest: dict[str, dict] = {}
    downgrades: list[tuple[CreditRatingChanged, Envelope]] = []
    for event, envelope in events:
        if event.uscc in current and current[event.uscc] > event.valid_from:
            continue  # older than what we hold: neither stored nor acted on (as in on_rating_changed)
        current[event.uscc] = event.valid_from
        newest[event.uscc] = {"uscc": event.uscc, "grade": event.grade, "has_report": event.has_report,
                              "valid_from": event.valid_from, "event_id": str(envelope.id)}
        if not at_least_a(event.grade):
            downgrades.append((event, envelope))
    await repo.store_credit(uow.session, list(newest.values()), known=known)
    for event, envelope in downgrades:
        token = correlation_id.set(envelope.correlation_id)
        try:
            reason = f"credit rating changed to {event.grade} (from {event.previous_grade or 'none'})"
            await listing.suspend(uow, event.uscc, reason_code="CREDIT_RATING_BELOW_A", reason=reason, now=now)
        finally:
            correlation_id.reset(token)


async def on_dishonesty_recorded(uow: UnitOfWork, event: DishonestyRecorded, envelope: Envelope, *, now: datetime) -> None:
    """Remember the dishonesty (失信) record and suspend a listed enterprise at once."""
    row = await uow.session.get(DishonestyProjectionRow, event.record_id)
    if row is None:
        uow.session.add(DishonestyProjectionRow(record_id=event.record_id, uscc=event.uscc, active=True,
                                                reason=event.reason[:2000], started_on=event.started_on))
    else:
        row.active, row.reason, row.started_on = True, event.reason[:2000], event.started_on
    await uow.session.flush()
    reason = f"dishonesty record {event.record_id} from {event.source}: {event.reason}"[:2000]
    await listing.suspend(uow, event.uscc, reason_code="DISHONESTY_RECORDED", reason=reason, now=now)


async def on_dishonesty_removed(uow: UnitOfWork, event: DishonestyRemoved, envelope: Envelope, *, now: datetime) -> None:
    """Mark the record inactive; restoring a suspended member stays an officer's review decision."""
    row = await uow.session.get(DishonestyProjectionRow, event.record_id)
    if row is None:
        uow.session.add(DishonestyProjectionRow(record_id=event.record_id, uscc=event.uscc, active=False,
                                                reason=event.reason[:2000], removed_on=event.removed_on))
    else:
        row.active, row.removed_on = False, event.removed_on


async def on_risk_alert(uow: UnitOfWork, event: RiskAlertRaised, envelope: Envelope, *, now: datetime) -> None:
    """A critical alert on a current member opens a review task for the credit office."""
    if event.severity != "critical":
        return
    member = await repo.membership(uow.session, event.uscc)
    if member is None or member.status == MemberStatus.REMOVED:
        return
    await listing.open_review(uow, event.uscc, trigger="RISK_ALERT",
                              detail=f"{event.rule}: {event.detail}", today=business_date(now))


def make_handlers(clock: Callable[[], datetime] = utcnow) -> dict:
    """The consumer's handler map, each handler acting at ``clock()`` (tests pass their own clock)."""

    def bind(handler):  # noqa: ANN001, ANN202
        async def handle(uow: UnitOfWork, event, envelope: Envelope) -> None:  # noqa: ANN001
            await handler(uow, event, envelope, now=clock())

        handle.__doc__ = handler.__doc__
        return handle

    return {
        CreditRatingChanged.type: bind(on_rating_changed),
        DishonestyRecorded.type: bind(on_dishonesty_recorded),
        DishonestyRemoved.type: bind(on_dishonesty_removed),
        RiskAlertRaised.type: bind(on_risk_alert),
        CommitmentLetterPublished.type: bind(on_letter_published),
        CommitmentLetterVoided.type: bind(on_letter_voided),
    }


def make_group_handlers(clock: Callable[[], datetime] = utcnow) -> dict:
    """Handlers for a poll's run of one event type at once (the consumer falls back to ``make_handlers``)."""

    async def ratings(uow: UnitOfWork, events: list) -> None:
        await on_ratings_changed(uow, events, now=clock())

    ratings.__doc__ = on_ratings_changed.__doc__
    return {CreditRatingChanged.type: ratings}
