"""A bank's malicious-default report (恶意逃废债): a report the credit office reviews, never a finding by itself.

pending ──confirm (credit office, reason)──▶ confirmed: the dishonesty record is public, for its term
pending ──reject (credit office, reason)──▶ rejected: nothing was ever public
confirmed ──the enterprise's dispute upheld──▶ annulled: the record is removed
pending ──the enterprise's dispute upheld──▶ rejected

The enterprise sees every report about itself and may dispute a pending or confirmed one; while its
dispute is open the office cannot confirm, so a dispute is always heard before anything is published.
"""

from __future__ import annotations

from enum import StrEnum

from xinyidai_shared.errors import Conflict, Invalid

REASON_MAX_CHARS = 2000
# A confirmed report stays on the public list this many years (the record's term; Civil Code counting).
TERM_YEARS = 5


class ReportStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    ANNULLED = "annulled"


class DisputeStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


def clean_text(text: str | None, field: str) -> str:
    """A reason or a dispute's text: required, bounded."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise Invalid("REASON_REQUIRED", f"{field} must say why", field=field)
    if len(cleaned) > REASON_MAX_CHARS:
        raise Invalid("REASON_TOO_LONG", f"{field} has at most {REASON_MAX_CHARS} characters", field=field)
    return cleaned


def decide(status: ReportStatus, *, confirm: bool, open_disputes: int) -> ReportStatus:
    """The status an officer's review leads to; only a pending report with no open dispute is decided."""
    if status is not ReportStatus.PENDING:
        raise Conflict("REPORT_DECIDED", f"this report is already {status}", current_state=status)
    if confirm and open_disputes:
        raise Conflict("DISPUTE_PENDING", "the enterprise disputes this report: decide the dispute first")
    return ReportStatus.CONFIRMED if confirm else ReportStatus.REJECTED


def check_disputable(status: ReportStatus, open_disputes: int) -> None:
    """The enterprise may dispute a report that is pending or confirmed, one dispute at a time."""
    if status not in (ReportStatus.PENDING, ReportStatus.CONFIRMED):
        raise Conflict("REPORT_NOT_DISPUTABLE", f"a {status} report has nothing to dispute", current_state=status)
    if open_disputes:
        raise Conflict("DISPUTE_OPEN", "a dispute of this report is already waiting for the credit office")


def dispute_outcome(status: DisputeStatus, report: ReportStatus, *, uphold: bool) -> tuple[DisputeStatus, ReportStatus]:
    """The dispute's new status and the report's: an upheld dispute rejects a pending report, annuls a confirmed one."""
    if status is not DisputeStatus.OPEN:
        raise Conflict("DISPUTE_DECIDED", f"this dispute is already {status}", current_state=status)
    if not uphold:
        return DisputeStatus.DISMISSED, report
    if report is ReportStatus.PENDING:
        return DisputeStatus.UPHELD, ReportStatus.REJECTED
    if report is ReportStatus.CONFIRMED:
        return DisputeStatus.UPHELD, ReportStatus.ANNULLED
    return DisputeStatus.UPHELD, report
