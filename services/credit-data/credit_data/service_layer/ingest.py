"""Pushing records: validate each, store by natural key, re-rate the touched enterprises once per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xinyidai_shared.auth import Principal
from xinyidai_shared.clock import business_date
from xinyidai_shared.errors import Forbidden, Invalid
from xinyidai_shared.uow import UnitOfWork

from ..adapters.records_repo import store_records
from ..domain.records import FeedRecord, RecordRejected, validate_record
from .rating import rerate


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one record of a pushed batch."""

    index: int
    source_record_id: str | None
    outcome: str  # accepted | unchanged | superseded | rejected
    field: str | None = None
    code: str | None = None
    reason: str | None = None


async def push_records(
    uow: UnitOfWork, principal: Principal, raws: Sequence[dict[str, Any]], *, now: datetime
) -> list[ItemResult]:
    """Validate and store a small batch, keep the good records, report each bad one; re-rate once."""
    today = business_date(now)
    valid: list[tuple[int, FeedRecord]] = []
    results: dict[int, ItemResult] = {}
    for index, raw in enumerate(raws):
        try:
            valid.append((index, validate_record(raw, provider=principal.org_id, allowed_sources=principal.sources, today=today)))
        except RecordRejected as error:
            rid = raw.get("source_record_id") if isinstance(raw.get("source_record_id"), str) else None
            results[index] = ItemResult(index, rid, "rejected", error.field, error.code, error.reason)
    if valid:
        stored = await store_records(uow.session, principal.org_id, [r for _, r in valid], now=now)
        for (index, record), outcome in zip(valid, stored.outcomes, strict=True):
            results[index] = ItemResult(index, record.source_record_id, outcome)
        if stored.touched:
            await rerate(uow, sorted(stored.touched), now=now)
    return [results[i] for i in range(len(raws))]


async def push_one(uow: UnitOfWork, principal: Principal, raw: dict[str, Any], *, now: datetime) -> ItemResult:
    """One record: a bad record is a refused command (403 for a foreign source, 400 otherwise)."""
    (result,) = await push_records(uow, principal, [raw], now=now)
    if result.outcome == "rejected":
        error = Forbidden if result.code == "SOURCE_NOT_ALLOWED" else Invalid
        raise error(result.code or "RECORD_INVALID", result.reason or "", field=result.field)
    return result
