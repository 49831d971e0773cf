"""List membership (推荐名单) as history: listed, suspended pending review, or removed."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xinyidai_shared.errors import Conflict


class MemberStatus(StrEnum):
    LISTED = "listed"
    SUSPENDED = "suspended"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Period:
    """One stretch of a status: from ``from_on`` (inclusive) to ``to_on`` (exclusive; None: still)."""

    status: MemberStatus
    from_on: date
    to_on: date | None


def status_on(periods: Iterable[Period], day: date) -> MemberStatus | None:
    """The membership status on ``day``, or None when the enterprise was not a member then.

    When several changes fall on the same day, the latest period that covers the day wins.
    """
    found: MemberStatus | None = None
    for period in periods:
        if period.from_on <= day and (period.to_on is None or day < period.to_on):
            found = period.status
    return found


def should_suspend(status: MemberStatus | None) -> bool:
    """A suspension only acts on a listed member; a repeated trigger changes nothing."""
    return status is MemberStatus.LISTED


def check_review(status: MemberStatus | None, *, restore: bool) -> MemberStatus:
    """The status a review decision leads to; only suspended (restore) or current members (remove)."""
    if restore:
        if status is not MemberStatus.SUSPENDED:
            raise Conflict("MEMBER_NOT_SUSPENDED", f"only a suspended member can be restored; it is {status}",
                           current_state=str(status))
        return MemberStatus.LISTED
    if status not in (MemberStatus.LISTED, MemberStatus.SUSPENDED):
        raise Conflict("NOT_A_MEMBER", f"only a current member can be removed; it is {status}", current_state=str(status))
    return MemberStatus.REMOVED


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(last_reviewed_on: date, every_months: int, today: date) -> bool:
    """Whether a periodic re-review is due on ``today``."""
    return today >= add_months(last_reviewed_on, every_months)
