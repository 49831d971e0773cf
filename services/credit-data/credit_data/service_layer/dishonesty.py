"""Dishonesty records: recorded by departments or from confirmed malicious-default reports, repaired, expired.

Every change re-rates the enterprise in the same transaction (an active record caps the grade at C) and
publishes ``DishonestyRecorded`` / ``DishonestyRemoved`` through the outbox.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from xinyidai_shared.clock import business_date
from xinyidai_shared.dishonesty import ended_by_expiry
from xinyidai_shared.errors import Conflict, Forbidden, NotFound
from xinyidai_shared.events import DishonestyRecorded, DishonestyRemoved
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.uow import UnitOfWork

from ..adapters import dishonesty_repo
from ..adapters.ratings_repo import lock_enterprises
from ..domain.dishonesty import DishonestyTerms, check_repair, check_terms
from ..domain.risk import dishonesty_hit
from .alerts import raise_alerts
from .rating import rerate


async def record_dishonesty(
    uow: UnitOfWork, *, record_id: str, uscc: str, recorded_by: str, kind: str, terms: DishonestyTerms, now: datetime
) -> tuple[Any, bool]:
    """Record once per ``record_id``: the same terms again return the record, other terms are a conflict."""
    check_terms(terms, today=business_date(now))
    await lock_enterprises(uow.session, [uscc])
    existing = await dishonesty_repo.get(uow.session, record_id)
    if existing is not None:
        same = (existing.uscc, existing.reason, existing.started_on, existing.expires_on) == (
            uscc, terms.reason, terms.started_on, terms.expires_on
        )
        if not same:
            raise Conflict("DISHONESTY_KEY_REUSED", f"record {record_id} already exists with other terms")
        return existing, False
    values = {
        "record_id": record_id, "uscc": uscc, "recorded_by": recorded_by, "kind": kind, "reason": terms.reason,
        "started_on": terms.started_on, "expires_on": terms.expires_on, "ended_on": None, "end_reason": None,
        "recorded_at": now,
    }  # fmt: skip
    await dishonesty_repo.add(uow.session, values)
    uow.publish(
        DishonestyRecorded(
            uscc=uscc, record_id=record_id, source=recorded_by, reason=terms.reason,
            started_on=terms.started_on, expires_on=terms.expires_on,
        )  # fmt: skip
    )
    await raise_alerts(uow, [(uscc, dishonesty_hit(record_id, terms.reason))], now=now)
    await rerate(uow, [uscc], now=now)
    return await dishonesty_repo.get(uow.session, record_id), True


async def repair(uow: UnitOfWork, *, record_id: str, by: str, may_repair_any: bool, repaired_on: date, reason: str, now: datetime) -> Any:
    """Credit repair (信用修复): end a record early; only its recorder or the credit office may."""
    row = await dishonesty_repo.get(uow.session, record_id)
    if row is None:
        raise NotFound("DISHONESTY_NOT_FOUND", f"no dishonesty record {record_id}")
    if not may_repair_any and row.recorded_by != by:
        raise Forbidden("NOT_RECORDER", "only the recording organisation or the credit office may repair a record")
    check_repair(row.started_on, row.ended_on, repaired_on, today=business_date(now))
    await _end(uow, row, ended_on=repaired_on, reason=f"repaired: {reason}")
    await rerate(uow, [row.uscc], now=now)
    return await dishonesty_repo.get(uow.session, record_id)


async def annul(uow: UnitOfWork, record_id: str, *, reason: str, now: datetime) -> None:
    """Void a record from its first day (it should never have been public): removed as of its start."""
    row = await dishonesty_repo.get(uow.session, record_id)
    if row is None:
        raise NotFound("DISHONESTY_NOT_FOUND", f"no dishonesty record {record_id}")
    if row.ended_on is not None and row.ended_on <= row.started_on:
        return  # already void from its start
    await _end(uow, row, ended_on=row.started_on, reason=f"annulled: {reason}")
    await rerate(uow, [row.uscc], now=now)


async def _end(uow: UnitOfWork, row: Any, *, ended_on: date, reason: str) -> None:
    await dishonesty_repo.end(uow.session, row.record_id, ended_on=ended_on, reason=reason)
    uow.publish(DishonestyRemoved(uscc=row.uscc, record_id=row.record_id, reason=reason, removed_on=ended_on))


async def expire_records(runtime: Runtime, *, today: date | None, now: datetime) -> int:
    """End every record whose last day in force is past and publish its removal from the day after (daily)."""
    day = today or business_date(now)
    async with runtime.uow() as uow:
        rows = await dishonesty_repo.expired_by(uow.session, day)
        for row in rows:
            await _end(uow, row, ended_on=ended_by_expiry(row.expires_on), reason="expired")
        if rows:
            await rerate(uow, sorted({r.uscc for r in rows}), now=now)
        await uow.commit()
    return len(rows)
