"""Delivering alerts to banks' webhooks: signed POSTs, retried with exponential backoff, then given up."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import httpx
import orjson

from xinyidai_shared.clock import utcnow
from xinyidai_shared.runtime import Runtime

from ..adapters import alerts_repo
from ..domain.webhooks import next_delay_s, signature

log = logging.getLogger(__name__)
BATCH = 50


async def deliver_due(runtime: Runtime, client: httpx.AsyncClient) -> int:
    """Try every delivery that is due once; returns how many were attempted."""
    async with runtime.db.read_session() as session:
        due = await alerts_repo.due_deliveries(session, utcnow(), BATCH)
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
        await alerts_repo.record_attempt(uow.session, delivery_id, values)
        await uow.commit()
