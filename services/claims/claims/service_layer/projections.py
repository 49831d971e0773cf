"""Event handlers for other services' events: standing history and the fund's answers on claims."""

from __future__ import annotations

from xinyidai_shared import workdays
from xinyidai_shared.clock import business_date, utcnow
from xinyidai_shared.consumer import Handler
from xinyidai_shared.events import (
    CompensationBlocked, CompensationPaid, CreditAuthorisationGranted, CreditAuthorisationRevoked, CreditRatingChanged,
    DishonestyRecorded, DishonestyRemoved, EnterpriseDelisted, EnterpriseRecommended, EnterpriseRecommendedV1, Envelope,
    WorkingCalendarChanged,
)
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import calendar_repo, consent_repo, standing_repo

from . import claims as claim_handlers


async def enterprise_recommended(uow: UnitOfWork, event: EnterpriseRecommendedV1, envelope: Envelope) -> None:
    """Listed from ``recommended_on`` (art.8), with the SME size and accepted art.9 exceptions the whitelist screened."""
    exceptions = event.accepted_exceptions if isinstance(event, EnterpriseRecommended) else ()  # v1 states none
    await standing_repo.add_listing(uow.session, uscc=event.uscc, on=event.recommended_on, listed=True,
                                    sme_size=event.sme_size, industry_code=event.industry_code,
                                    accepted_exceptions=exceptions, event_id=str(envelope.id))


async def enterprise_delisted(uow: UnitOfWork, event: EnterpriseDelisted, envelope: Envelope) -> None:
    """Off the list (removed or suspended) from ``delisted_on``."""
    await standing_repo.add_listing(uow.session, uscc=event.uscc, on=event.delisted_on, listed=False,
                                    event_id=str(envelope.id))


async def rating_changed(uow: UnitOfWork, event: CreditRatingChanged, envelope: Envelope) -> None:
    """A rating valid from the business date of ``valid_from`` (Plan 4.2.5 looks at the issue date)."""
    await standing_repo.add_rating(uow.session, uscc=event.uscc, valid_on=business_date(event.valid_from),
                                   valid_from=event.valid_from, grade=event.grade, has_report=event.has_report,
                                   event_id=str(envelope.id))


async def dishonesty_recorded(uow: UnitOfWork, event: DishonestyRecorded, envelope: Envelope) -> None:
    """A dishonesty record in effect from ``started_on``."""
    await standing_repo.record_dishonesty(uow.session, record_id=event.record_id, uscc=event.uscc,
                                          started_on=event.started_on, expires_on=event.expires_on,
                                          event_id=str(envelope.id))


async def dishonesty_removed(uow: UnitOfWork, event: DishonestyRemoved, envelope: Envelope) -> None:
    """A dishonesty record no longer in effect from ``removed_on``."""
    await standing_repo.remove_dishonesty(uow.session, record_id=event.record_id, uscc=event.uscc,
                                          removed_on=event.removed_on)




async def working_calendar_changed(uow: UnitOfWork, event: WorkingCalendarChanged, envelope: Envelope) -> None:
    """The officers' working-day calendar (kept by whitelist) changed: keep it and re-time running notices."""
    await calendar_repo.set_override(uow.session, day=event.day, working=event.working, note=event.note,
                                     set_by=event.set_by, set_at=event.set_at)
    table = await calendar_repo.overrides(uow.session)
    for batch_id, starts_on, working_days in await calendar_repo.running_notices(uow.session):
        await calendar_repo.retime_notice(uow.session, batch_id, workdays.notice_end(starts_on, working_days, table))


async def authorisation_granted(uow: UnitOfWork, event: CreditAuthorisationGranted, envelope: Envelope) -> None:
    """The enterprise authorised a bank (credit-data): the bank may read its standing under that reference."""
    await consent_repo.granted(uow.session, ref=event.ref, uscc=event.uscc, bank_id=event.bank_id,
                               purpose=event.purpose, valid_until=event.valid_until, granted_at=event.granted_at)


async def authorisation_revoked(uow: UnitOfWork, event: CreditAuthorisationRevoked, envelope: Envelope) -> None:
    """The enterprise withdrew an authorisation: the bank may no longer read its standing under it."""
    await consent_repo.revoked(uow.session, ref=event.ref, uscc=event.uscc, bank_id=event.bank_id,
                               revoked_at=event.revoked_at)


async def compensation_paid(uow: UnitOfWork, event: CompensationPaid, envelope: Envelope) -> None:
    """CompensationPaid: the claim shows paid, stamped with the moment we applied it."""
    await claim_handlers.compensation_paid(uow, event, recorded_at=utcnow())


async def compensation_blocked(uow: UnitOfWork, event: CompensationBlocked, envelope: Envelope) -> None:
    """CompensationBlocked: the claim shows blocked."""
    await claim_handlers.compensation_blocked(uow, event)


HANDLERS: dict[str, Handler] = {
    EnterpriseRecommended.type: enterprise_recommended,
    EnterpriseDelisted.type: enterprise_delisted,
    CreditRatingChanged.type: rating_changed,
    DishonestyRecorded.type: dishonesty_recorded,
    DishonestyRemoved.type: dishonesty_removed,
    CompensationPaid.type: compensation_paid,
    CompensationBlocked.type: compensation_blocked,
    WorkingCalendarChanged.type: working_calendar_changed,
    CreditAuthorisationGranted.type: authorisation_granted,
    CreditAuthorisationRevoked.type: authorisation_revoked,
}
