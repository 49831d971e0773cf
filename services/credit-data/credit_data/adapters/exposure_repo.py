"""Banks' loans to enterprises as credit-data knows them from the claims service's loan events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import loan_exposure


async def upsert(session: AsyncSession, *, loan_id: str, bank_id: str, uscc: str, at: datetime, **values: Any) -> None:
    """Create the loan's exposure (active, not overdue) or change it with ``values``."""
    exists = (await session.execute(select(loan_exposure.c.loan_id).where(loan_exposure.c.loan_id == loan_id))).first()
    if exists is None:
        row = {"loan_id": loan_id, "bank_id": bank_id, "uscc": uscc, "active": True, "days_past_due": 0}
        await session.execute(insert(loan_exposure).values(row | values | {"updated_at": at}))
    else:
        await session.execute(update(loan_exposure).where(loan_exposure.c.loan_id == loan_id).values(**values, updated_at=at))
