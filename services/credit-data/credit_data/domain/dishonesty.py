"""Dishonesty records (失信): who recorded what, from when, until when, and whether it was repaired.

A record is in force from ``started_on`` through ``expires_on`` inclusive (no expiry: indefinitely), unless
it was repaired (信用修复) or removed earlier; the rule is the shared one (``xinyidai_shared.dishonesty``),
so claims judges a loan's issue date by the same day. Business dates are Asia/Shanghai dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyidai_shared.errors import Conflict, Invalid

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class DishonestyTerms:
    """What a department or a bank's report says: the reason and the period it runs for."""

    reason: str
    started_on: date
    expires_on: date | None


def check_terms(terms: DishonestyTerms, *, today: date) -> DishonestyTerms:
    """Refuse terms that cannot be right: empty reason, a start in the future, an expiry before the start."""
    if not terms.reason.strip() or len(terms.reason) > MAX_REASON:
        raise Invalid("DISHONESTY_REASON_INVALID", f"reason must be 1-{MAX_REASON} characters", field="reason")
    if terms.started_on > today:
        raise Invalid("DISHONESTY_START_IN_FUTURE", "started_on must not be after today", field="started_on")
    if terms.expires_on is not None and terms.expires_on < terms.started_on:
        raise Invalid("DISHONESTY_EXPIRY_INVALID", "expires_on (the last day in force) must not be before started_on",
                      field="expires_on")
    return terms


def check_repair(started_on: date, ended_on: date | None, repaired_on: date, *, today: date) -> None:
    """A repair ends a record that is still open, on a day between its start and today."""
    if ended_on is not None:
        raise Conflict("DISHONESTY_ALREADY_ENDED", f"the record already ended on {ended_on.isoformat()}")
    if not started_on <= repaired_on <= today:
        raise Invalid("REPAIR_DATE_INVALID", "repaired_on must lie between started_on and today", field="repaired_on")
