"""Jinja filters: money, dates in Asia/Shanghai, and the names people read for codes and states."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment, pass_context

from xinyidai_shared.clock import SHANGHAI

from ..domain.labels import LABELS


def yuan(value: Any) -> str:
    """"1234567.50" -> "1,234,567.50" (exact: the string is never turned into a float)."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.2f}"


def wan(value: Any) -> str:
    """Yuan as 万元 with two decimals, for figures read at a glance."""
    try:
        return f"{Decimal(str(value)) / Decimal(10000):,.2f}"
    except (InvalidOperation, TypeError):
        return "—"


def local_time(value: Any) -> str:
    """An ISO instant shown in Asia/Shanghai, to the minute."""
    if not value:
        return "—"
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if instant.tzinfo is None:
        return instant.strftime("%Y-%m-%d %H:%M")
    return instant.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@pass_context
def label(context: Any, code: Any) -> str:
    """The person's-language name of a state, step, reason or material code (the code itself if unknown)."""
    names = LABELS.get(str(code))
    if names is None:
        return str(code) if code not in (None, "") else "—"
    return names[1] if context.get("lang") == "en" else names[0]


def install(env: Environment) -> None:
    env.filters.update(yuan=yuan, wan=wan, local_time=local_time, label=label)
