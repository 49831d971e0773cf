"""Integer query parameters with explicit ranges, parsed strictly: offsets, limits, cursors, years.

A route declares ``limit: Annotated[int, Query(ge=1, le=1000), STRICT] = 100`` (the range inside the
``Annotated``: FastAPI drops the validator of a parameter whose default is a ``Query``), or one of the
ready types below: ``offset: Offset = 0``. ``STRICT`` accepts ASCII digits only (no sign, space,
underscore, exponent, or digits of other scripts such as "²" or "１") and at most the 19 digits a 64-bit
signed integer holds; the range is the route's explicit bound, so nothing outside it reaches the database
(SQLite and PostgreSQL hold 64-bit integers at most, and PostgreSQL refuses a parameter outside a 32-bit
column's range). A refused value is 422 VALIDATION_FAILED naming the parameter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BeforeValidator

INT32_MAX = 2**31 - 1  # an INTEGER column (line numbers, counts)
INT64_MAX = 2**63 - 1  # a BIGINT column (sequence numbers, cursors)
OFFSET_MAX = 1_000_000  # paging deeper than a million rows is a crawl: filter instead


def _ascii_whole(value: object) -> object:
    """Text of ASCII digits to int; anything else for pydantic's own int check (which refuses it or bounds it)."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 19):
            raise ValueError("must be a whole number written with the digits 0-9 only")
        return int(value)
    return value


STRICT = BeforeValidator(_ascii_whole)
Offset = Annotated[int, Query(ge=0, le=OFFSET_MAX, description="rows to skip (at most a million: filter instead)"), STRICT]
SeqCursor = Annotated[int, Query(ge=0, le=INT64_MAX, description="the next_cursor of the previous page (0: from the start)"), STRICT]
LineCursor = Annotated[int, Query(ge=0, le=INT32_MAX, description="the last line number already read"), STRICT]
