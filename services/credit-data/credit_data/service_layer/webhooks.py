"""Delivering alerts to banks' webhooks: signed POSTs, retried with exponential backoff, then given up."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import httpx
import orjson
from sqlalchemy import select, update

from xinyidai_shared.clock import utcnow
from xinyidai_shared.runtime import Runtime

from ..adapters.tables import risk_alert, webhook, webhook_delivery
from ..domain.webhooks import next_delay_s, signature

log = logging.getLogger(__name__)
BATCH = 50


async def deliver_due(runtime: Runtime, client: httpx.AsyncClient) -> int:
    """Try every delivery that is due once; returns how many were attempted."""
    d, a, w = webhook_delivery.c, risk_alert.c, webhook.c
    query = (
        select(d.id, d.attempts, w.url, w.secret, a.alert_id, a.uscc, a.rule, a.severity, a.detail, a.raised_at)
        .join(risk_alert, a.alert_id == d.alert_id)
        .join(webhook, w.bank_id == d.bank_id)
        .where(d.status == "pending", d.next_attempt_at <= utcnow())
        .order_by(d.next_attempt_at, d.id)
        .limit(BATCH)
    )
    async with runtime.db.read_session() as session:
        due = list(await session.execute(query))
    for row in due:
        body = orjson.dumps({
            "alert_id": row.alert_id, "uscc": row.uscc, "rule": row.rule, "severity": row.severity,
            "detail": row.detail, "raised_at": row.raised_at.isoformat(),
        })  # fmt: skip
        headers = {"Content-Type": "application/json", "X-Xyd-Signature": signature(row.secret, int(time.time()), body)}
        error = None
        try:
            response = await client.post(row.url, content=body, headers=headers)
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        await _record_attempt(runtime, row.id, row.attempts + 1, error)
    return len(due)


async def _record_attempt(runtime: Runtime, delivery_id: int, attempts: int, error: str | None) -> None:
    values: dict = {"attempts": attempts, "last_error": error}
    if error is None:
        values["status"] = "delivered"
    else:
        delay = next_delay_s(attempts)
        if delay is None:
            values["status"] = "failed"
            log.warning("webhook delivery given up", extra={"delivery_id": delivery_id, "error": error})
        else:
            values["next_attempt_at"] = utcnow() + timedelta(seconds=delay)
    async with runtime.uow() as uow:
        await uow.session.execute(update(webhook_delivery).where(webhook_delivery.c.id == delivery_id).values(values))
        await uow.commit()
