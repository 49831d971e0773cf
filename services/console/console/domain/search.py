"""Search over the lists the public reads (pure)."""

from __future__ import annotations

from typing import Any


def matches(row: dict[str, Any], query: str, fields: tuple[str, ...]) -> bool:
    """Every word of the query appears in one of the fields (case-insensitive; USCCs match by prefix too)."""
    words = query.lower().split()
    haystack = " ".join(str(row.get(f) or "") for f in fields).lower()
    return all(w in haystack for w in words)


def search(rows: list[dict[str, Any]], query: str, fields: tuple[str, ...], limit: int = 200) -> tuple[list[dict[str, Any]], int]:
    """The rows that match (at most ``limit``) and how many matched in all."""
    query = query.strip()
    found = [r for r in rows if matches(r, query, fields)] if query else rows
    return found[:limit], len(found)
