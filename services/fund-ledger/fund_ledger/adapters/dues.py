"""Amounts due to the fund (fiscal share, bank contributions, recovery shares, clawbacks)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import due, transfer


async def get_due(session: AsyncSession, due_id: str):  # noqa: ANN201 - a SQLAlchemy row
    return (await session.execute(select(due).where(due.c.id == due_id))).first()


async def add_due(
    session: AsyncSession,
    *,
    due_id: str,
    kind: str,
    party: str,
    amount_fen: int,
    due_on: date,
    at: datetime,
    basis_fen: int | None = None,
    rate_bp: int | None = None,
    year: int | None = None,
    reference: str | None = None,
) -> None:
    await session.execute(
        insert(due).values(
            id=due_id, kind=kind, party=party, amount_fen=amount_fen, settled_fen=0, basis_fen=basis_fen,
            rate_bp=rate_bp, year=year, reference=reference, due_on=due_on, created_at=at,
        )
    )


async def settle(session: AsyncSession, due_id: str, amount_fen: int, at: datetime) -> bool:
    """Add a payment to a due only if it does not pay more than is owed (atomic)."""
    result = await session.execute(
        update(due)
        .where(due.c.id == due_id, due.c.settled_fen + amount_fen <= due.c.amount_fen)
        .values(settled_fen=due.c.settled_fen + amount_fen, settled_at=at)
    )
    return result.rowcount == 1


async def pending_declared(session: AsyncSession, due_id: str) -> int:
    """What has been declared against a due and awaits confirmation (fen)."""
    query = select(func.coalesce(func.sum(transfer.c.amount_fen), 0)).where(
        transfer.c.due_id == due_id, transfer.c.status == "pending", transfer.c.kind != "reversal"
    )
    return int((await session.execute(query)).scalar_one())


async def reopen(session: AsyncSession, due_id: str, amount_fen: int) -> None:
    """A reversed payment owes its amount again."""
    await session.execute(update(due).where(due.c.id == due_id).values(settled_fen=due.c.settled_fen - amount_fen))
