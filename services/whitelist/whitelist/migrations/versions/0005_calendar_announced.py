"""announce the working-day overrides officers entered before claims read the calendar from whitelist

Revision ID: 0005_calendar_announced
Revises: 0004_applicants_exceptions
Create Date: 2026-12-02 16:00:00
"""
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from xinyidai_shared.db import UtcDateTime
from xinyidai_shared.events import TOPICS, WorkingCalendarChanged, envelope_for

revision = '0005_calendar_announced'
down_revision = '0004_applicants_exceptions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Overrides saved before WorkingCalendarChanged existed were never announced: write one event per day
    # to the outbox, so claims' notices count the days officers already declared.
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT day, working, note, set_by, set_at FROM calendar_override ORDER BY day")).all()
    outbox = sa.table("outbox", sa.column("event_id"), sa.column("topic"), sa.column("key"), sa.column("type"),
                      sa.column("envelope"), sa.column("created_at", UtcDateTime()))
    now = datetime.now(UTC)
    events = []
    for day, working, note, set_by, set_at in rows:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        set_at = set_at if isinstance(set_at, datetime) else datetime.fromisoformat(str(set_at))
        envelope = envelope_for(WorkingCalendarChanged(day=day, working=bool(working), note=note or "", set_by=set_by,
                                                       set_at=set_at if set_at.tzinfo else set_at.replace(tzinfo=UTC)))
        events.append({"event_id": str(envelope.id), "topic": TOPICS["whitelist"], "key": envelope.key,
                       "type": envelope.type, "envelope": envelope.model_dump_json(), "created_at": now})
    if events:
        op.bulk_insert(outbox, events)


def downgrade() -> None:
    # Announcements already published cannot be taken back; nothing to undo in this database's schema.
    pass
