"""The application workflow (Measures art.8): one role per step, every move recorded.

submitted → screened (department) → credit_checked (credit office) → reviewed (leading-group office)
→ in_notice (public notice opens at once) → recommended; or rejected, with reasons, from any open state
by the role that owns the next step. An upheld objection during the notice also rejects. An open
application filed by an unproven applicant is superseded when the enterprise (or a department for it)
applies itself (see ``applicant``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from xinyidai_shared.errors import Conflict, Forbidden, Invalid


class Status(StrEnum):
    SUBMITTED = "submitted"
    SCREENED = "screened"
    CREDIT_CHECKED = "credit_checked"
    REVIEWED = "reviewed"
    IN_NOTICE = "in_notice"
    RECOMMENDED = "recommended"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # displaced by the enterprise's own application (or a department's for it)


class Step(StrEnum):
    SCREEN = "screen"
    CREDIT_CHECK = "credit_check"
    REVIEW = "review"
    OPEN_NOTICE = "open_notice"
    CONCLUDE_NOTICE = "conclude_notice"
    REJECT = "reject"
    SUPERSEDE = "supersede"


# Roles are the plain names of ``xinyidai_shared.auth.Role`` (kept as text so the domain imports no web code).
DEPARTMENT, CREDIT_OFFICE, LEADING_GROUP_OFFICE = "department", "credit_office", "leading_group_office"

# Which step moves which state, to where, and who may take it.
FORWARD: dict[Step, tuple[Status, Status, str]] = {
    Step.SCREEN: (Status.SUBMITTED, Status.SCREENED, DEPARTMENT),
    Step.CREDIT_CHECK: (Status.SCREENED, Status.CREDIT_CHECKED, CREDIT_OFFICE),
    Step.REVIEW: (Status.CREDIT_CHECKED, Status.REVIEWED, LEADING_GROUP_OFFICE),
    Step.OPEN_NOTICE: (Status.REVIEWED, Status.IN_NOTICE, LEADING_GROUP_OFFICE),
    Step.CONCLUDE_NOTICE: (Status.IN_NOTICE, Status.RECOMMENDED, LEADING_GROUP_OFFICE),
}

# Who may reject an application waiting in each open state: the owner of its next step.
REJECTER: dict[Status, str] = {
    Status.SUBMITTED: DEPARTMENT,
    Status.SCREENED: CREDIT_OFFICE,
    Status.CREDIT_CHECKED: LEADING_GROUP_OFFICE,
    Status.REVIEWED: LEADING_GROUP_OFFICE,
    Status.IN_NOTICE: LEADING_GROUP_OFFICE,
}

OPEN_STATES = frozenset(REJECTER)
REASON_MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Transition:
    """One recorded move: who took which step, when, and why."""

    step: Step
    from_status: Status
    to_status: Status
    actor: str
    role: str
    reason: str
    at: datetime


def _clean_reason(reason: str | None, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise Invalid("REASON_REQUIRED", "a rejection must state its reasons", field="reason")
    if len(text) > REASON_MAX_CHARS:
        raise Invalid("REASON_TOO_LONG", f"a reason has at most {REASON_MAX_CHARS} characters", field="reason")
    return text


def supersede(status: Status, *, actor: str, role: str, reason: str, at: datetime) -> Transition:
    """Close an open application because a proven applicant filed for the same enterprise."""
    if status not in OPEN_STATES:
        raise Conflict("INVALID_TRANSITION", f"a {status} application cannot be superseded", current_state=status)
    return Transition(Step.SUPERSEDE, status, Status.SUPERSEDED, actor, role, _clean_reason(reason, required=True), at)


def move(status: Status, step: Step, *, actor: str, role: str, reason: str | None, at: datetime) -> Transition:
    """The transition ``step`` makes from ``status``; refuses a wrong state (409) or a wrong role (403)."""
    if step is Step.REJECT:
        if status not in REJECTER:
            raise Conflict("INVALID_TRANSITION", f"a {status} application cannot be rejected", current_state=status)
        owner, target = REJECTER[status], Status.REJECTED
    else:
        source, target, owner = FORWARD[step]
        if status is not source:
            raise Conflict(
                "INVALID_TRANSITION", f"{step} needs a {source} application; this one is {status}", current_state=status
            )
    if role != owner:
        raise Forbidden("ROLE_NOT_ALLOWED", f"{step} of a {status} application is for {owner}, not {role}")
    text = _clean_reason(reason, required=step is Step.REJECT)
    return Transition(step, status, target, actor, role, text, at)
