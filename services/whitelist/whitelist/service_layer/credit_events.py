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
