"""Malicious-default reports and the enterprises' disputes of them; queries only, nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.errors import NotFound

from .tables import default_dispute as D
from .tables import default_report as R

OPEN = "open"


async def add_report(session: AsyncSession, **values: Any) -> bool:
    """Keep a report once per loan; False when the loan's report is already held."""
    if (await session.execute(select(R.c.report_id).where(R.c.loan_id == values["loan_id"]))).first() is not None:
        return False
    await session.execute(insert(R).values(**values))
    return True


async def report(session: AsyncSession, report_id: str, *, for_update: bool = False) -> Any:
    """One report; 404 when unknown."""
    query = select(R).where(R.c.report_id == report_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("REPORT_NOT_FOUND", f"no malicious-default report {report_id}")
    return row


async def reports(session: AsyncSession, *, status: str | None, bank_id: str | None, uscc: str | None,
                  limit: int, offset: int) -> list[Any]:
    """Reports, oldest first within a status (the review queue), filtered by status, bank or enterprise."""
    query = select(R).order_by(R.c.received_at, R.c.report_id).limit(limit).offset(offset)
    for column, value in ((R.c.status, status), (R.c.bank_id, bank_id), (R.c.uscc, uscc)):
        if value is not None:
            query = query.where(column == value)
    return list((await session.execute(query)).all())


async def update_report(session: AsyncSession, report_id: str, **values: Any) -> None:
    await session.execute(update(R).where(R.c.report_id == report_id).values(**values))


async def add_dispute(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(D).values(**values))


async def dispute(session: AsyncSession, dispute_id: str, *, for_update: bool = False) -> Any:
    """One dispute; 404 when unknown."""
    query = select(D).where(D.c.dispute_id == dispute_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("DISPUTE_NOT_FOUND", f"no dispute {dispute_id}")
    return row


async def update_dispute(session: AsyncSession, dispute_id: str, **values: Any) -> None:
    await session.execute(update(D).where(D.c.dispute_id == dispute_id).values(**values))


async def open_disputes(session: AsyncSession, report_id: str) -> int:
    query = select(func.count()).where(D.c.report_id == report_id, D.c.status == OPEN)
    return int((await session.execute(query)).scalar_one())


async def disputes_of(session: AsyncSession, report_ids: list[str]) -> dict[str, list[Any]]:
    """The disputes of these reports, by report, oldest first (one query for a page of reports)."""
    found: dict[str, list[Any]] = {report_id: [] for report_id in report_ids}
    if report_ids:
        query = select(D).where(D.c.report_id.in_(report_ids)).order_by(D.c.filed_at, D.c.dispute_id)
        for row in (await session.execute(query)).all():
            found[row.report_id].append(row)
    return found
