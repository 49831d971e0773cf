"""The auditor's audit trail across the services: one time-ordered page from each service's own trail (pure).

Every service keeps its own append-only trail with its own row ids, read oldest first after a cursor. The
console shows them as one list: it asks each service for a page after that service's cursor, merges the pages
by time and shows the first ``limit`` rows. A service's cursor then moves to the last of its rows that were
shown, so no row is skipped or shown twice whatever the services' clocks or row ids say. The cursor a person
carries to the next page is those positions in one string: ``credit-data.whitelist.fund-ledger.claims``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

SERVICES = ("credit-data", "whitelist", "fund-ledger", "claims")
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_ROW_ID = 2**63 - 1
FILTERS = ("subject", "org_id", "route", "object_id", "correlation_id")


class BadCursor(ValueError):
    """A cursor the console did not write (edited by hand, or from another version)."""


def parse_cursor(text: str) -> dict[str, int]:
    """``"12.0.7.3"`` -> each service's last row seen; an empty text starts at the beginning."""
    if not text:
        return dict.fromkeys(SERVICES, 0)
    parts = text.split(".")
    if len(parts) != len(SERVICES) or not all(p.isascii() and p.isdigit() and len(p) <= 19 for p in parts):
        raise BadCursor(text)
    after = {service: int(part) for service, part in zip(SERVICES, parts, strict=True)}
    if any(value > MAX_ROW_ID for value in after.values()):
        raise BadCursor(text)
    return after


def format_cursor(after: dict[str, int]) -> str:
    return ".".join(str(after.get(service, 0)) for service in SERVICES)


def day_bounds(since: date | None, until: date | None) -> tuple[str | None, str | None]:
    """Business dates (Asia/Shanghai, both inclusive) as the instants the services filter on."""
    start = datetime.combine(since, time.min, tzinfo=SHANGHAI).isoformat() if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=SHANGHAI).isoformat() if until else None
    return start, end


@dataclass(frozen=True)
class Row:
    """One trail row and the service that wrote it."""

    service: str
    item: dict[str, Any]

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field the write changed or set, in a stable order."""
        detail = self.item.get("detail") or {}
        before = detail.get("before") if isinstance(detail.get("before"), dict) else {}
        after = detail.get("after") if isinstance(detail.get("after"), dict) else {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k) or k not in before]

    @property
    def events(self) -> list[str]:
        detail = self.item.get("detail") or {}
        return [str(e.get("type")) for e in detail.get("events") or [] if isinstance(e, dict)]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None  # None: every service has shown its last row


def _instant(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.min.replace(tzinfo=SHANGHAI)


def merge(answers: dict[str, dict[str, Any]], after: dict[str, int], limit: int) -> Page:
    """The first ``limit`` rows of the services' pages in time order, and where the next page starts.

    ``answers`` holds each answering service's page (``items`` in row-id order, ``next_cursor``); a service
    missing from it did not answer, keeps its cursor and makes the trail unfinished. Each service's rows keep
    their own order in the merge, so the rows shown from a service are always the first of its page.
    """
    tick = count()
    streams = [
        [(_instant(item.get("at")), next(tick), service, item) for item in answers[service].get("items") or []]
        for service in SERVICES if service in answers
    ]
    shown = [Row(service, item) for _, _, service, item in heapq.merge(*streams)][:limit]
    moved = dict(after)
    for row in shown:
        moved[row.service] = int(row.item["id"])
    finished = all(
        service in answers
        and not answers[service].get("next_cursor")
        and all(int(item["id"]) <= moved[service] for item in answers[service].get("items") or [])
        for service in SERVICES
    )
    return Page(shown, None if finished else format_cursor(moved))
