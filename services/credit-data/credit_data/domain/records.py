"""Feed records: one enterprise, one source, one monthly period; validated field by field.

A record is identified by its natural key (provider, source record id). Its ``content_hash`` covers every
field that carries meaning, so a resent record is recognised as unchanged and a corrected one supersedes.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, NamedTuple

from xinyidai_shared.money import MoneyFormatError, parse_yuan
from xinyidai_shared.text import identifier_problem
from xinyidai_shared.uscc import uscc_problem

from .periods import first_day, parse_period

UTILITY_SOURCES = frozenset({"water", "power", "gas", "heating"})
SOURCES = UTILITY_SOURCES | {"tax", "social_insurance"}
TAX_GRADES = frozenset({"A", "B", "M", "C", "D"})
# Units a utility may bill in; LPG is sold by weight, district heating by energy or by heated area.
UNITS: dict[str, frozenset[str]] = {
    "water": frozenset({"m3"}),
    "power": frozenset({"kWh"}),
    "gas": frozenset({"m3", "kg"}),
    "heating": frozenset({"GJ", "m2"}),
}
MAX_ID_LENGTH = 64
MAX_MILLI = 10**15


class RecordRejected(Exception):
    """One record refused: the field at fault, a stable code and a reason for people."""

    def __init__(self, field: str, code: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.code = code
        self.reason = reason


class FeedRecord(NamedTuple):
    """A validated record. Money is integer fen, consumption integer thousandths of its unit.

    A named tuple rather than a frozen dataclass: re-rating builds millions of these from rows, and a frozen
    dataclass's ``__init__`` costs several times more per record.
    """

    provider: str
    source_record_id: str
    uscc: str
    source: str
    period: int
    content_hash: str
    account_no: str | None = None
    consumption_milli: int | None = None
    unit: str | None = None
    amount_due_fen: int | None = None
    amount_paid_fen: int | None = None
    due_on: date | None = None
    paid_on: date | None = None
    arrears_fen: int = 0
    disconnected: bool = False
    tax_paid_fen: int | None = None
    filed_on_time: bool | None = None
    tax_grade: str | None = None
    headcount: int | None = None
    contribution_due_fen: int | None = None
    contribution_paid_fen: int | None = None

    @property
    def kind(self) -> str:
        """``utility``, ``tax`` or ``social_insurance``."""
        return "utility" if self.source in UTILITY_SOURCES else self.source

    @property
    def paid_on_time(self) -> bool:
        """Whether the month's obligation was met in full by its due date (tax: filed on time, no arrears)."""
        if self.source == "tax":
            return bool(self.filed_on_time) and self.arrears_fen == 0
        if self.source == "social_insurance":
            return (self.contribution_paid_fen or 0) >= (self.contribution_due_fen or 0) and self.arrears_fen == 0
        if (self.amount_due_fen or 0) == 0:
            return self.arrears_fen == 0
        paid_in_full = (self.amount_paid_fen or 0) >= (self.amount_due_fen or 0)
        in_time = self.paid_on is not None and self.due_on is not None and self.paid_on <= self.due_on
        return paid_in_full and in_time and self.arrears_fen == 0


_USCC_OK: dict[str, str | None] = {}


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts full-width and superscript digits."""
    return text.isascii() and text.isdigit()


def _uscc(value: Any) -> str:
    if not isinstance(value, str):
        raise RecordRejected("uscc", "USCC_INVALID", "uscc must be a text of 18 characters")
    problem = _USCC_OK.get(value, "")
    if problem == "":
        problem = uscc_problem(value)
        if len(_USCC_OK) < 500_000:  # the cache only saves work; bounded so a hostile file cannot grow it
            _USCC_OK[value] = problem
    if problem is not None:
        raise RecordRejected("uscc", "USCC_INVALID", problem)
    return value


def _text(raw: dict[str, Any], name: str, *, required: bool, spaces: bool = False) -> str | None:
    """An identifier-like field: no controls, bidi overrides or surrounding spaces (inner spaces if ``spaces``)."""
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise RecordRejected(name, "FIELD_REQUIRED", f"{name} is required")
        return None
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise RecordRejected(name, "FIELD_INVALID", f"{name} must be a text of 1-{MAX_ID_LENGTH} characters")
    problem = identifier_problem(value, spaces=spaces)
    if problem is not None:
        raise RecordRejected(name, "FIELD_INVALID", f"{name} {problem}")
    return value


def _money(raw: dict[str, Any], name: str, *, required: bool) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise RecordRejected(name, "FIELD_REQUIRED", f"{name} is required")
        return None
    if not isinstance(value, str):
        raise RecordRejected(name, "MONEY_INVALID", f"{name} must be a decimal yuan text such as \"12.30\"")
    # Fast path for the plain spellings a feed sends ("361", "361.5", "361.50"); anything else goes through
    # the shared parser, which gives the exact reason for a refusal.
    whole, dot, frac = value.partition(".")
    if _digits(whole) and len(whole) <= 15 and (not dot or (_digits(frac) and len(frac) <= 2)):
        return int(whole) * 100 + (int(frac.ljust(2, "0")) if dot else 0)
    if not value.isascii():  # a second line: the shared parser takes ASCII digits only too
        raise RecordRejected(name, "MONEY_INVALID", f"{name} must use ASCII digits")
    try:
        return parse_yuan(value)
    except MoneyFormatError as error:
        raise RecordRejected(name, "MONEY_INVALID", f"{name}: {error}") from None


def _count(raw: dict[str, Any], name: str) -> int:
    value = raw.get(name)
    if isinstance(value, str) and _digits(value) and len(value) <= 10:
        value = int(value)
    if value is None or value == "":
        raise RecordRejected(name, "FIELD_REQUIRED", f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 10**9:
        raise RecordRejected(name, "FIELD_INVALID", f"{name} must be a whole number of at least 0")
    return value


def _milli(raw: dict[str, Any], name: str) -> int:
    value = raw.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        raise RecordRejected(name, "FIELD_REQUIRED", f"{name} is required")
    whole, _, frac = value.partition(".") if isinstance(value, str) else ("x", "", "")
    if not _digits(whole) or len(whole) > 15 or len(frac) > 3 or (frac and not _digits(frac)):
        raise RecordRejected(name, "FIELD_INVALID", f"{name} must be a non-negative number with at most 3 decimals")
    milli = int(whole) * 1000 + int(frac.ljust(3, "0") or 0)
    if milli >= MAX_MILLI:
        raise RecordRejected(name, "FIELD_INVALID", f"{name} is implausibly large")
    return milli


def _date(raw: dict[str, Any], name: str, *, required: bool) -> date | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise RecordRejected(name, "FIELD_REQUIRED", f"{name} is required")
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise RecordRejected(name, "DATE_INVALID", f"{name} must be a date YYYY-MM-DD") from None


_TRUE = {True: True, "true": True, "1": True, "yes": True, "是": True}
_FALSE = {False: False, "false": False, "0": False, "no": False, "否": False}


def _flag(raw: dict[str, Any], name: str, *, default: bool | None) -> bool:
    value = raw.get(name)
    if value is None or value == "":
        if default is None:
            raise RecordRejected(name, "FIELD_REQUIRED", f"{name} is required")
        return default
    key = value.lower() if isinstance(value, str) else value
    if isinstance(key, (bool, str)):
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise RecordRejected(name, "FIELD_INVALID", f"{name} must be true or false")


def _utility_fields(raw: dict[str, Any], source: str, period_start: date, today: date) -> dict[str, Any]:
    unit = _text(raw, "unit", required=True)
    if unit not in UNITS[source]:
        raise RecordRejected("unit", "UNIT_INVALID", f"{source} is billed in {', '.join(sorted(UNITS[source]))}")
    fields: dict[str, Any] = {
        "account_no": _text(raw, "account_no", required=True, spaces=True),
        "consumption_milli": _milli(raw, "consumption"),
        "unit": unit,
        "amount_due_fen": _money(raw, "amount_due", required=True),
        "amount_paid_fen": _money(raw, "amount_paid", required=True),
        "due_on": _date(raw, "due_on", required=True),
        "paid_on": _date(raw, "paid_on", required=False),
        "arrears_fen": _money(raw, "arrears", required=False) or 0,
        "disconnected": _flag(raw, "disconnected", default=False),
    }
    if fields["due_on"] < period_start:
        raise RecordRejected("due_on", "DATES_INCONSISTENT", "due_on must not be before the period begins")
    paid_on = fields["paid_on"]
    if paid_on is not None and (paid_on < period_start or paid_on > today):
        raise RecordRejected("paid_on", "DATES_INCONSISTENT", "paid_on must lie between the period start and today")
    if fields["amount_paid_fen"] > 0 and paid_on is None:
        raise RecordRejected("paid_on", "FIELD_REQUIRED", "paid_on is required when amount_paid is above 0")
    return fields


def _tax_fields(raw: dict[str, Any]) -> dict[str, Any]:
    grade = _text(raw, "tax_credit_grade", required=False)
    if grade is not None and grade not in TAX_GRADES:
        raise RecordRejected("tax_credit_grade", "FIELD_INVALID", "tax_credit_grade is one of A, B, M, C, D")
    return {
        "tax_paid_fen": _money(raw, "tax_paid", required=True),
        "filed_on_time": _flag(raw, "filed_on_time", default=None),
        "arrears_fen": _money(raw, "arrears", required=False) or 0,
        "tax_grade": grade,
    }


def _social_insurance_fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "headcount": _count(raw, "insured_headcount"),
        "contribution_due_fen": _money(raw, "contribution_due", required=True),
        "contribution_paid_fen": _money(raw, "contribution_paid", required=True),
        "arrears_fen": _money(raw, "arrears", required=False) or 0,
    }


def validate_record(
    raw: dict[str, Any], *, provider: str, allowed_sources: frozenset[str] | set[str], today: date
) -> FeedRecord:
    """Turn one raw record (JSON object or CSV row) into a ``FeedRecord``, or raise ``RecordRejected``."""
    source_record_id = _text(raw, "source_record_id", required=True)
    source = raw.get("source")
    if not isinstance(source, str) or source not in SOURCES:
        raise RecordRejected("source", "SOURCE_INVALID", f"source is one of {', '.join(sorted(SOURCES))}")
    if source not in allowed_sources:
        raise RecordRejected("source", "SOURCE_NOT_ALLOWED", f"provider {provider} may not push {source} records")
    uscc = _uscc(raw.get("uscc"))
    try:
        period = parse_period(raw.get("period"))  # type: ignore[arg-type]
    except ValueError as error:
        raise RecordRejected("period", "PERIOD_INVALID", str(error)) from None
    period_start = first_day(period)
    if period_start > today:
        raise RecordRejected("period", "PERIOD_IN_FUTURE", "period must not be in the future")
    if source in UTILITY_SOURCES:
        fields = _utility_fields(raw, source, period_start, today)
    elif source == "tax":
        fields = _tax_fields(raw)
    else:
        fields = _social_insurance_fields(raw)
    digest = content_hash(uscc, source, period, fields)
    return FeedRecord(provider, source_record_id, uscc, source, period, digest, **fields)  # type: ignore[arg-type]


def content_hash(uscc: str, source: str, period: int, fields: dict[str, Any]) -> str:
    """A digest of everything a record says, independent of how it was spelled (CSV text or JSON).

    ``fields`` is built in a fixed order per record kind, so its values alone identify the content.
    """
    # NUL never occurs inside a value (texts refuse it), so joining on it cannot make two contents collide.
    text = "\x00".join(map(str, (uscc, source, period, *fields.values())))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
