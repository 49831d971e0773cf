"""The officers' working-day override table, and re-timing notices that are running.

whitelist owns the platform's one working-day calendar: officers maintain it here and every change is
published (``WorkingCalendarChanged``), so claims' compensation notices count the same days.
"""

from __future__ import annotations

from datetime import date, datetime

from xinyidai_shared.events import WorkingCalendarChanged
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.workdays import notice_end

from ..adapters import repository as repo
from ..adapters.tables import CalendarOverrideRow


async def set_override(uow: UnitOfWork, day: date, *, working: bool, note: str, actor: str, now: datetime) -> CalendarOverrideRow:
    """Declare ``day`` a working or rest day; every running notice's end date is recomputed with it, and the
    change is published for claims.

    A notice lasts N *working* days by the official arrangement; when officers enter the arrangement of
    a year the package did not know, notices already running move to the end the rule now gives.
    """
    row = await uow.session.get(CalendarOverrideRow, day)
    if row is None:
        row = CalendarOverrideRow(day=day, working=working, note=note, set_by=actor, set_at=now, announced=True)
        uow.session.add(row)
    else:
        row.working, row.note, row.set_by, row.set_at, row.announced = working, note, actor, now, True
    await uow.session.flush()
    uow.publish(WorkingCalendarChanged(day=day, working=working, note=note, set_by=actor, set_at=now))
    table = await repo.overrides(uow.session)
    for app in await repo.in_notice(uow.session):
        if app.notice_starts_on is not None and app.notice_working_days is not None:
            app.notice_ends_on = notice_end(app.notice_starts_on, app.notice_working_days, table)
    return row


async def announce_pending(uow: UnitOfWork) -> int:
    """Publish every override not yet announced (saved before the calendar was shared); returns how many.

    Each is announced through this service's outbox like any change, so claims receives it signed.
    """
    rows = await repo.unannounced_overrides(uow.session)
    for row in rows:
        uow.publish(WorkingCalendarChanged(day=row.day, working=row.working, note=row.note, set_by=row.set_by,
                                           set_at=row.set_at))
        row.announced = True
    return len(rows)
