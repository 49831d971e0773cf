"""Risk alerts, their fan-out to lending banks, banks' webhooks and the deliveries to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import bank_alert, loan_exposure, risk_alert, webhook, webhook_delivery

CHUNK = 500
ALERT_FIELDS = ("alert_id", "uscc", "rule", "severity", "detail", "raised_at")


async def for_bank(session: AsyncSession, bank_id: str, *, after: int, limit: int) -> list[Any]:
    """A bank's alerts after its cursor (the fan-out sequence), oldest first."""
    b, a = bank_alert.c, risk_alert.c
    query = (
        select(b.seq, *(getattr(a, f) for f in ALERT_FIELDS))
        .join(risk_alert, a.alert_id == b.alert_id)
        .where(b.bank_id == bank_id, b.seq > after)
        .order_by(b.seq)
        .limit(limit)
    )
    return list(await session.execute(query))


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


async def lenders(session: AsyncSession, usccs: Sequence[str]) -> dict[str, set[str]]:
    """Banks holding active loans to each enterprise, from LoanRegistered / LoanRepaid."""
    found: dict[str, set[str]] = {}
    c = loan_exposure.c
    for start in range(0, len(usccs), CHUNK):
        rows = await session.execute(select(c.uscc, c.bank_id).where(c.uscc.in_(usccs[start : start + CHUNK]), c.active))
        for uscc, bank_id in rows:
            found.setdefault(uscc, set()).add(bank_id)
    return found


async def add(session: AsyncSession, alerts: list[dict[str, Any]], fan_out: list[dict[str, str]], now: datetime) -> None:
    """Store new alerts, each bank's copy, and a pending webhook delivery for banks that have a webhook."""
    await session.execute(insert(risk_alert), alerts)
    if not fan_out:
        return
    await session.execute(insert(bank_alert), fan_out)
    hooked = set((await session.execute(select(webhook.c.bank_id))).scalars())
    deliveries = [
        {"bank_id": f["bank_id"], "alert_id": f["alert_id"], "status": "pending", "attempts": 0, "next_attempt_at": now}
        for f in fan_out
        if f["bank_id"] in hooked
    ]
    if deliveries:
        await session.execute(insert(webhook_delivery), deliveries)


async def put_webhook(session: AsyncSession, bank_id: str, *, url: str, secret: str, at: datetime) -> None:
    """Set (or replace) a bank's webhook."""
    values = {"url": url, "secret": secret, "updated_at": at}
    exists = (await session.execute(select(webhook.c.bank_id).where(webhook.c.bank_id == bank_id))).first()
    if exists:
        await session.execute(update(webhook).where(webhook.c.bank_id == bank_id).values(values))
    else:
        await session.execute(insert(webhook).values(bank_id=bank_id, **values))


async def delete_webhook(session: AsyncSession, bank_id: str) -> None:
    await session.execute(delete(webhook).where(webhook.c.bank_id == bank_id))


async def due_deliveries(session: AsyncSession, now: datetime, limit: int) -> list[Any]:
    """Pending deliveries whose time has come, with the webhook and the alert they carry."""
    d, a, w = webhook_delivery.c, risk_alert.c, webhook.c
    query = (
        select(d.id, d.attempts, w.url, w.secret, *(getattr(a, f) for f in ALERT_FIELDS))
        .join(risk_alert, a.alert_id == d.alert_id)
        .join(webhook, w.bank_id == d.bank_id)
        .where(d.status == "pending", d.next_attempt_at <= now)
        .order_by(d.next_attempt_at, d.id)
        .limit(limit)
    )
    return list(await session.execute(query))


async def record_attempt(session: AsyncSession, delivery_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(webhook_delivery).where(webhook_delivery.c.id == delivery_id).values(values))
