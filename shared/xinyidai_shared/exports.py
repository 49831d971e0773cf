"""Cells of CSV and XLSX exports that a spreadsheet cannot take for a formula (OWASP: CSV injection).

An officer opens exports in a spreadsheet, which runs a cell beginning with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return before one) as a formula: text from outside (an enterprise's name, a bank's
reference) could then fetch data or run commands. Such a text cell is prefixed with a single quote, which
spreadsheets show as text. A number written as text ("-1500.00", a negative amount) is left alone: it is no
formula, and the figures must stay figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def safe_cell(value: Any) -> Any:
    """The value as an export may write it: risky text quoted, everything else unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through ``safe_cell``."""
    return [safe_cell(v) for v in values]
