"""Chinese working days: statutory holidays and make-up working days, with an override table.

The ``chinese-calendar`` package knows the State Council's holiday arrangements only for the years it
ships (2004-2026 in the pinned version) and raises for any other year. Public notices (公示) run in
working days and may start in late December and end in a year the package does not know, so this
module never lets that error escape: for an unknown year it falls back to "Monday to Friday work,
weekends rest", and an override table (filled by officers once the State Council publishes the next
year's arrangement, stored by the services) takes precedence over both the package and the fallback.

Everything here is pure: dates in, dates out, no clock and no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache

import chinese_calendar

SATURDAY = 5  # date.weekday(): Monday is 0, so 5 and 6 are the weekend
ONE_DAY = timedelta(days=1)


@cache
def _known_years() -> tuple[int, int]:
    """First and last year the installed ``chinese-calendar`` data covers."""
    years = {day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays}
    return min(years), max(years)


def calendar_known(year: int) -> bool:
    """Whether the official holiday arrangement of ``year`` is known (without any override)."""
    first, last = _known_years()
    return first <= year <= last


def is_working_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    """Whether ``day`` is a working day: override first, then the official calendar, else Mon-Fri."""
    if overrides is not None and day in overrides:
        return bool(overrides[day])
    if calendar_known(day.year):
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # The package's own range check disagreed with ours; the weekday rule is the safe fallback.
            pass
    return day.weekday() < SATURDAY


def next_working_day(day: date, overrides: Mapping[date, bool] | None = None) -> date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, overrides):
        day += ONE_DAY
    return day


def notice_end(start_on: date, working_days: int, overrides: Mapping[date, bool] | None = None) -> date:
    """Last day of a notice of ``working_days`` working days that starts on ``start_on``.

    The first counted day is ``start_on`` when it is a working day, otherwise the next working day.
    A notice of 0 working days ends on ``start_on`` itself (used by the demo stack); a negative
    length is a programming error and raises ``ValueError``.
    """
    if working_days < 0:
        raise ValueError("a notice cannot last a negative number of working days")
    if working_days == 0:
        return start_on
    day = next_working_day(start_on, overrides)
    counted = 1
    while counted < working_days:
        day = next_working_day(day + ONE_DAY, overrides)
        counted += 1
    return day


def working_days_between(first: date, last: date, overrides: Mapping[date, bool] | None = None) -> int:
    """How many working days lie in the closed range ``first``..``last`` (0 when ``last < first``)."""
    count = 0
    day = first
    while day <= last:
        count += is_working_day(day, overrides)
        day += ONE_DAY
    return count
