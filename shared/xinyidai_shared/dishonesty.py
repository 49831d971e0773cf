"""When a dishonesty (失信) record binds an enterprise: the one definition every service uses.

A record binds from ``started_on`` **through** ``expires_on``: the expiry date is the last day in force.
That is how a decision's "有效期至 2031年3月10日" reads, and how the Civil Code counts a period
(《民法典》art.201-203: a term in years ends on the corresponding date of its last year, at 24:00, or on
the last day of that month when it has no such date). A record stops binding earlier on ``ended_on``
(repaired or removed), which is the *first day it no longer binds*; an expired record's ``ended_on`` is
the day after its expiry date. No expiry means in force until ended.

Pure: dates in, booleans and dates out. ``in_force_clause`` builds a SQL condition from the columns it is
given through their comparison operators, so this module imports no database library.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

ONE_DAY = timedelta(days=1)


def in_force(started_on: date, expires_on: date | None, ended_on: date | None, *, on: date) -> bool:
    """Whether a record with these dates binds on day ``on``."""
    if on < started_on:
        return False
    if expires_on is not None and on > expires_on:
        return False
    return ended_on is None or on < ended_on


def ended_by_expiry(expires_on: date) -> date:
    """The first day an expired record no longer binds (the ``removed_on`` its expiry announces)."""
    return expires_on + ONE_DAY


def expiry_after_years(started_on: date, years: int) -> date:
    """The last day in force of a term of ``years`` years starting ``started_on`` (art.202's corresponding date)."""
    if years < 1:
        raise ValueError("a term lasts at least one year")
    year = started_on.year + years
    return started_on.replace(year=year, day=min(started_on.day, calendar.monthrange(year, started_on.month)[1]))


def in_force_clause(started: Any, expires: Any, ended: Any, on: date) -> Any:
    """The SQL condition "binds on ``on``" over a table's started/expires/ended date columns."""
    return (started <= on) & (expires.is_(None) | (expires >= on)) & (ended.is_(None) | (ended > on))


def expired_clause(expires: Any, ended: Any, on: date) -> Any:
    """The SQL condition "still open but past its expiry date on ``on``" (the daily expiry run ends these)."""
    return ended.is_(None) & expires.is_not(None) & (expires < on)
