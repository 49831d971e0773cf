"""Per-bank rows (cap, committed, paid, disqualification) and the compensation queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.queue import Waiting
from .tables import bank_position, compensation


async def lock_bank(session: AsyncSession, bank_id: str):  # noqa: ANN201 - a SQLAlchemy row
    """The bank's row, created if absent and locked for this transaction (FOR UPDATE on PostgreSQL)."""
    stmt = select(bank_position).where(bank_position.c.bank_id == bank_id).with_for_update()
    row = (await session.execute(stmt)).first()
    if row is not None:
        return row
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    await session.execute(
        dialect_insert(bank_position)
        .values(bank_id=bank_id, committed_fen=0, paid_fen=0, clawed_back_fen=0, disqualified=False)
        .on_conflict_do_nothing(index_elements=["bank_id"])
    )
    return (await session.execute(stmt)).one()


async def lock_banks(session: AsyncSession, bank_ids: set[str]) -> dict:
    """Lock several banks' rows in id order (the one lock order every writer uses)."""
    return {bank_id: await lock_bank(session, bank_id) for bank_id in sorted(bank_ids)}


async def existing_claims(session: AsyncSession, claim_ids: list[str]) -> set[str]:
    """Which of these claims already have a compensation record."""
    rows = (await session.execute(select(compensation.c.claim_id).where(compensation.c.claim_id.in_(claim_ids)))).all()
    return {r.claim_id for r in rows}


async def queue_is_empty(session: AsyncSession) -> bool:
    row = (await session.execute(select(compensation.c.claim_id).where(compensation.c.status == "waiting").limit(1))).first()
    return row is None


async def move_bank(session: AsyncSession, bank_id: str, *, committed_fen: int, paid_fen: int, cap_fen: int | None) -> bool:
    """Add to a bank's committed and paid totals only while committed stays within ``cap_fen`` (atomic)."""
    stmt = update(bank_position).where(bank_position.c.bank_id == bank_id)
    if cap_fen is not None:
        stmt = stmt.where(bank_position.c.committed_fen + committed_fen <= cap_fen)
    result = await session.execute(stmt.values(
        committed_fen=bank_position.c.committed_fen + committed_fen,
        paid_fen=bank_position.c.paid_fen + paid_fen,
        cap_fen=cap_fen,
    ))
    return result.rowcount == 1


async def add_paid(session: AsyncSession, bank_id: str, amount_fen: int) -> None:
    await session.execute(
        update(bank_position)
        .where(bank_position.c.bank_id == bank_id)
        .values(paid_fen=bank_position.c.paid_fen + amount_fen)
    )


async def release_commitment(session: AsyncSession, bank_id: str, amount_fen: int) -> None:
    await session.execute(
        update(bank_position)
        .where(bank_position.c.bank_id == bank_id)
        .values(committed_fen=bank_position.c.committed_fen - amount_fen)
    )


async def get_compensation(session: AsyncSession, claim_id: str):  # noqa: ANN201
    return (await session.execute(select(compensation).where(compensation.c.claim_id == claim_id))).first()


async def get_compensations(session: AsyncSession, claim_ids: list[str]) -> dict[str, Any]:
    """Several compensation rows in one query, by claim id."""
    if not claim_ids:
        return {}
    rows = (await session.execute(select(compensation).where(compensation.c.claim_id.in_(claim_ids)))).all()
    return {row.claim_id: row for row in rows}


async def waiting_queue(session: AsyncSession, bank_id: str | None = None) -> list[Waiting]:
    """Compensations approved but not paid, in queue order."""
    stmt = select(compensation.c.claim_id, compensation.c.amount_fen, compensation.c.approved_at).where(
        compensation.c.status == "waiting"
    )
    if bank_id is not None:
        stmt = stmt.where(compensation.c.bank_id == bank_id)
    rows = (await session.execute(stmt.order_by(compensation.c.approved_at, compensation.c.claim_id))).all()
    return [Waiting(r.claim_id, r.amount_fen, r.approved_at) for r in rows]


async def set_compensation_status(
    session: AsyncSession, claim_id: str, *, status: str, at: datetime | None = None, reason_code: str | None = None
) -> None:
    values: dict = {"status": status}
    if status == "paid":
        values["paid_at"] = at
    if reason_code is not None:
        values["reason_code"] = reason_code
    await session.execute(
        update(compensation).where(and_(compensation.c.claim_id == claim_id)).values(values)
    )
