"""Risk alerts as raised (banks are told by claims, which knows who lends to whom)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import risk_alert

CHUNK = 500
ALERT_FIELDS = ("alert_id", "uscc", "rule", "severity", "detail", "raised_at")


async def for_enterprise(session: AsyncSession, uscc: str) -> list[Any]:
    """Every alert raised about one enterprise, oldest first."""
    return list(await session.execute(select(risk_alert).where(risk_alert.c.uscc == uscc).order_by(risk_alert.c.seq)))


async def known_ids(session: AsyncSession, ids: Sequence[str]) -> set[str]:
    """Which of these alert ids were raised before."""
    known: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(select(risk_alert.c.alert_id).where(risk_alert.c.alert_id.in_(ids[start : start + CHUNK])))
        known.update(rows.scalars())
    return known


async def add(session: AsyncSession, alerts: list[dict[str, Any]]) -> None:
    """Store new alerts."""
    await session.execute(insert(risk_alert), alerts)
