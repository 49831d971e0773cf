"""Public notice (公示) of an application: its period in working days, objections, and its end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xinyidai_shared.errors import Conflict, Invalid
from xinyidai_shared.workdays import notice_end

OBJECTION_MAX_CHARS = 2000
CONTACT_MAX_CHARS = 200


@dataclass(frozen=True, slots=True)
class NoticePeriod:
    """A notice from ``starts_on`` to ``ends_on`` inclusive, lasting ``working_days`` working days."""

    starts_on: date
    ends_on: date
    working_days: int

    def over_on(self, today: date) -> bool:
        """Whether the notice has run its full period by ``today`` (a 0-day notice is over at once)."""
        return self.working_days == 0 or today > self.ends_on

    def accepts_objections_on(self, today: date) -> bool:
        """Objections are taken from the first day to the last day of the notice (a 0-day notice takes them
        until it is concluded)."""
        return self.working_days == 0 or self.starts_on <= today <= self.ends_on


def open_period(today: date, working_days: int, overrides: Mapping[date, bool] | None = None) -> NoticePeriod:
    """A notice opening ``today`` and lasting ``working_days`` working days on the Chinese calendar."""
    return NoticePeriod(today, notice_end(today, working_days, overrides), working_days)


class ObjectionStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


def clean_objection(text: str, contact: str | None) -> tuple[str, str | None]:
    """Validate an objection's text and optional contact; refuse empty or oversized ones."""
    body = (text or "").strip()
    if not body:
        raise Invalid("OBJECTION_EMPTY", "an objection needs a text", field="text")
    if len(body) > OBJECTION_MAX_CHARS:
        raise Invalid("OBJECTION_TOO_LONG", f"an objection has at most {OBJECTION_MAX_CHARS} characters", field="text")
    who = (contact or "").strip() or None
    if who is not None and len(who) > CONTACT_MAX_CHARS:
        raise Invalid("CONTACT_TOO_LONG", f"a contact has at most {CONTACT_MAX_CHARS} characters", field="contact")
    return body, who


def decide_objection(status: ObjectionStatus, uphold: bool) -> ObjectionStatus:
    """The new status of a pending objection; a decided one cannot be decided again."""
    if status is not ObjectionStatus.PENDING:
        raise Conflict("OBJECTION_ALREADY_DECIDED", f"this objection is already {status}", current_state=status)
    return ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED


def can_conclude(period: NoticePeriod, today: date, pending_objections: int) -> None:
    """Refuse to conclude a notice still running or with objections nobody has decided."""
    if not period.over_on(today):
        raise Conflict(
            "NOTICE_RUNNING", f"the notice runs until {period.ends_on.isoformat()}", ends_on=period.ends_on.isoformat()
        )
    if pending_objections:
        raise Conflict("OBJECTIONS_PENDING", f"{pending_objections} objection(s) wait for a decision")
