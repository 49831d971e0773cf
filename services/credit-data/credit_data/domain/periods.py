"""Monthly periods as integer month indexes (year * 12 + month - 1), so windows are plain subtraction."""

from __future__ import annotations

from datetime import date


def month_index(year: int, month: int) -> int:
    """The month index of a calendar month."""
    return year * 12 + month - 1


def index_of(day: date) -> int:
    """The month index of the month containing ``day``."""
    return month_index(day.year, day.month)


def parse_period(text: str) -> int:
    """``"2025-07"`` to its month index; ValueError for anything else."""
    if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
        raise ValueError("period must be YYYY-MM")
    year_text, month_text = text[:4], text[5:]
    if not (year_text + month_text).isascii() or not (year_text.isdigit() and month_text.isdigit()):
        raise ValueError("period must be YYYY-MM")
    year, month = int(year_text), int(month_text)
    if not 1 <= month <= 12 or year < 1990:
        raise ValueError("period must be a real month from 1990 on")
    return month_index(year, month)


def format_period(index: int) -> str:
    """A month index back to ``"YYYY-MM"``."""
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def first_day(index: int) -> date:
    """The first calendar day of the month with this index."""
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)
