"""Time rules: instants are aware UTC; business dates are Asia/Shanghai calendar dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def business_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(SHANGHAI).date()


def today_shanghai() -> date:
    """Today's business date in Asia/Shanghai."""
    return business_date(utcnow())
