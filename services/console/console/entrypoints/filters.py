"""Jinja filters: money, dates in Asia/Shanghai, and the names people read for codes and states."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment, pass_context

from xinyidai_shared.clock import SHANGHAI

from ..domain.labels import LABELS
from ..domain.people import role_name


def yuan(value: Any) -> str:
    """"1234567.50" -> "1,234,567.50" (exact: the string is never turned into a float)."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def fen(value: Any) -> str:
    """Integer fen (as the services store and audit them) as yuan: 64669490 -> "646,694.90"."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "—" if value is None else str(value)
    sign, whole = ("-" if value < 0 else ""), abs(value)
    return f"{sign}{whole // 100:,}.{whole % 100:02d}"


def wan(value: Any) -> str:
    """Yuan as 万元 with two decimals, for figures read at a glance."""
    try:
        return f"{Decimal(str(value)) / Decimal(10000):,.2f}"
    except (InvalidOperation, TypeError):
        return "—"


def local_time(value: Any, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO instant shown in Asia/Shanghai, to the minute (or as ``pattern`` says)."""
    if not value:
        return "—"
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if instant.tzinfo is None:
        return instant.strftime(pattern)
    return instant.astimezone(SHANGHAI).strftime(pattern)


def local_time_seconds(value: Any) -> str:
    """An ISO instant in Asia/Shanghai to the second (the audit trail orders writes closer than a minute)."""
    return local_time(value, "%Y-%m-%d %H:%M:%S")


@pass_context
def role_label(context: Any, role: Any) -> str:
    """A role's name in the person's language (a code the console does not know shows as it is)."""
    return role_name(str(role or ""), "en" if context.get("lang") == "en" else "zh")


@pass_context
def label(context: Any, code: Any) -> str:
    """The person's-language name of a state, step, reason or material code (the code itself if unknown)."""
    names = LABELS.get(str(code))
    if names is None:
        return str(code) if code not in (None, "") else "—"
    return names[1] if context.get("lang") == "en" else names[0]


def install(env: Environment) -> None:
    env.filters.update(yuan=yuan, fen=fen, wan=wan, local_time=local_time, local_time_seconds=local_time_seconds, label=label,
                       role_label=role_label)
