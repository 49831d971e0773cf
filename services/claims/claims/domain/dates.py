"""Calendar arithmetic for loan terms (month steps that clamp to the month's last day)."""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; 31 Jan + 1 month is 28/29 Feb, 29 Feb + 12 months is 28 Feb."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


@lru_cache(maxsize=4096)  # a core system's file repeats a few (issue, maturity) pairs across thousands of loans
def term_months(issued_on: date, matures_on: date) -> int:
    """The term in whole months, rounded up: the fewest months after issue that reach maturity."""
    if matures_on <= issued_on:
        raise ValueError("maturity must be after issue")
    months = (matures_on.year - issued_on.year) * 12 + (matures_on.month - issued_on.month)
    months = max(months, 1)
    while add_months(issued_on, months) < matures_on:
        months += 1
    while months > 1 and add_months(issued_on, months - 1) >= matures_on:
        months -= 1
    return months
