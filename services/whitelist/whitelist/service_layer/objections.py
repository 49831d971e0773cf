"""Objections to a public notice: anyone files one while the notice runs; the office decides it."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from xinyidai_shared.clock import business_date
from xinyidai_shared.errors import Conflict, NotFound
from xinyidai_shared.uow import UnitOfWork

from ..adapters import repository as repo
from ..adapters.tables import ObjectionRow
from ..domain.notice import ObjectionStatus, clean_objection, decide_objection
from ..domain.workflow import Status, Step, move
from .applications import Actor, notice_period, record_transition


async def file_objection(uow: UnitOfWork, application_id: str, *, text: str, contact: str | None, now: datetime) -> ObjectionRow:
    """Record a public objection to an application under notice."""
    body, who = clean_objection(text, contact)
    try:
        # Locked, so on PostgreSQL an objection and a conclusion of the same notice cannot interleave.
        app = await repo.application(uow.session, application_id, for_update=True)
    except NotFound as exc:
        raise NotFound("NOTICE_NOT_FOUND", f"no public notice for {application_id}") from exc
    if app.status != Status.IN_NOTICE:
        raise NotFound("NOTICE_NOT_FOUND", f"no public notice for {application_id}")
    today: date = business_date(now)
    period = notice_period(app)
    if not period.accepts_objections_on(today):
        raise Conflict("NOTICE_CLOSED", f"the notice ran until {period.ends_on}; objections are closed",
                       ends_on=period.ends_on.isoformat())
    row = ObjectionRow(id=str(uuid.uuid4()), application_id=application_id, text=body, contact=who,
                       status=ObjectionStatus.PENDING.value, received_at=now)
    uow.session.add(row)
    await uow.session.flush()
    return row


async def decide(
    uow: UnitOfWork, objection_id: str, *, uphold: bool, reason: str | None, actor: Actor, now: datetime
) -> ObjectionRow:
    """Uphold (the application is rejected) or dismiss an objection; both record who, when and why."""
    row = await repo.objection(uow.session, objection_id, for_update=True)
    new_status = decide_objection(ObjectionStatus(row.status), uphold)
    text = (reason or "").strip()
    app = await repo.application(uow.session, row.application_id, for_update=True)
    if uphold:
        if app.status != Status.IN_NOTICE:
            raise Conflict("INVALID_TRANSITION", f"the application is {app.status}, not in notice", current_state=app.status)
        transition = move(Status(app.status), Step.REJECT, actor=actor.org_id, role=actor.role,
                          reason=f"objection {row.id} upheld: {text or row.text}"[:2000], at=now)
        record_transition(uow, app, transition)
    row.status, row.decided_by, row.decision_reason, row.decided_at = new_status.value, actor.org_id, text, now
    return row
