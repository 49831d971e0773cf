"""Builders of raw feed records for the tests (valid unless a test overrides a field)."""

from __future__ import annotations

from datetime import date
from typing import Any

from xinyidai_shared.uscc import make_uscc

from credit_data.domain.periods import first_day, format_period
from credit_data.domain.records import SOURCES, FeedRecord, validate_record

TODAY = date(2026, 11, 20)
AS_OF = TODAY.year * 12 + TODAY.month - 1
USCC = make_uscc("MA0TEXT01")


def raw_utility(period: int, *, source: str = "water", rid: str | None = None, **over: Any) -> dict[str, Any]:
    start = first_day(period)
    raw = {
        "source_record_id": rid or f"{source}-{period}",
        "uscc": USCC,
        "source": source,
        "period": format_period(period),
        "account_no": "W-0001",
        "consumption": "120.5",
        "unit": {"water": "m3", "power": "kWh", "gas": "kg", "heating": "GJ"}[source],
        "amount_due": "361.50",
        "amount_paid": "361.50",
        "due_on": start.replace(day=25).isoformat(),
        "paid_on": start.replace(day=20).isoformat(),
    }
    raw.update(over)
    return raw


def raw_tax(period: int, **over: Any) -> dict[str, Any]:
    raw = {
        "source_record_id": f"tax-{period}",
        "uscc": USCC,
        "source": "tax",
        "period": format_period(period),
        "tax_paid": "5200.00",
        "filed_on_time": True,
    }
    raw.update(over)
    return raw


def raw_si(period: int, headcount: int = 20, **over: Any) -> dict[str, Any]:
    raw = {
        "source_record_id": f"si-{period}",
        "uscc": USCC,
        "source": "social_insurance",
        "period": format_period(period),
        "insured_headcount": headcount,
        "contribution_due": "8000.00",
        "contribution_paid": "8000.00",
    }
    raw.update(over)
    return raw


def record(raw: dict[str, Any], provider: str = "p") -> FeedRecord:
    return validate_record(raw, provider=provider, allowed_sources=SOURCES, today=TODAY)


def months_back(n: int, start_ago: int = 1) -> list[int]:
    """``n`` month indexes ending ``start_ago`` months before the rating month, oldest first."""
    return [AS_OF - ago for ago in range(start_ago + n - 1, start_ago - 1, -1)]
