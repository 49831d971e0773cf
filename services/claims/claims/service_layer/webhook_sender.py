"""The webhook sender: a supervised loop that claims due deliveries and sends each on its own task.

One slow or failing endpoint never delays the others: every delivery runs on its own task, at most
``per_endpoint`` at once per endpoint (the rest of that endpoint's claimed deliveries wait their turn), and
the next claim skips endpoints that already have that many in hand. Claims are leased in the database
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so replicas share the work and a stopped sender's deliveries
come back when its lease ends. A failed try is retried with exponential backoff and jitter until the
delivery's retry window (24 hours by default) is over; then it is ``failed`` and the bank may ask for it again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from xinyidai_shared.clock import utcnow
from xinyidai_shared.runtime import Runtime

from claims.adapters import webhook_http, webhooks_repo
from claims.domain.webhooks import RetryPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderConfig:
    allow_loopback: bool
    timeout_s: float
    per_endpoint: int
    max_in_flight: int
    poll_s: float
    retry: RetryPolicy

    @property
    def lease(self) -> timedelta:
        # A claimed delivery may wait for its endpoint's earlier ones and then take its own time.
        return timedelta(seconds=3 * self.timeout_s + 30)


class WebhookSender:
    """Delivers due webhooks; ``counters`` (attempts, delivered, failed attempts, given up) are for metrics."""

    def __init__(self, config: SenderConfig, *, rand: Callable[[], float] = random.random) -> None:
        self.config = config
        self.rand = rand
        self.counters: Counter[str] = Counter()
        self.in_hand: Counter[str] = Counter()  # deliveries per endpoint claimed and not yet recorded
        self._gates: dict[str, asyncio.Semaphore] = {}
        self._tasks: set[asyncio.Task] = set()

    async def run(self, runtime: Runtime) -> None:
        """The supervised loop: claim what is due, start it, and look again after a short pause when idle."""
        limits = httpx.Limits(max_connections=self.config.max_in_flight, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=self.config.timeout_s, limits=limits, trust_env=False) as client:
            try:
                while True:
                    claimed = await self.claim(runtime)
                    for row in claimed:
                        self.in_hand[row.endpoint_id] += 1
                        task = asyncio.create_task(self._deliver(runtime, client, row))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    if not claimed:
                        await asyncio.sleep(self.config.poll_s)
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def claim(self, runtime: Runtime) -> list[Any]:
        """Lease due deliveries for this process, leaving out endpoints that have as many in hand as they may."""
        free = self.config.max_in_flight - len(self._tasks)
        if free <= 0:
            return []
        busy = {endpoint for endpoint, n in self.in_hand.items() if n >= self.config.per_endpoint}
        now = utcnow()
        async with runtime.db.read_session() as session:  # a look first: an idle sender takes no write lock
            if not await webhooks_repo.overdue_pending(session, now):
                return []
        async with runtime.db.writing() as session:
            rows = await webhooks_repo.claim_due(session, now=now, lease_until=now + self.config.lease, limit=free,
                                                 per_endpoint=self.config.per_endpoint, busy=busy)
            await session.commit()
        return rows

    async def _deliver(self, runtime: Runtime, client: httpx.AsyncClient, row: Any) -> None:
        gate = self._gates.setdefault(row.endpoint_id, asyncio.Semaphore(self.config.per_endpoint))
        try:
            async with gate:
                at = utcnow()
                secrets = [row.secret]
                if row.previous_secret and row.previous_secret_until and row.previous_secret_until > at:
                    secrets.append(row.previous_secret)
                outcome = await webhook_http.post(
                    client, url=row.url, message_id=row.message_id, body=row.body, secrets=secrets, at=at,
                    allow_loopback=self.config.allow_loopback, timeout_s=self.config.timeout_s,
                )
                await self._record(runtime, row, outcome, at)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one broken delivery must not stop the sender; its lease brings it back
            log.exception("webhook delivery crashed", extra={"delivery_id": row.delivery_id})
        finally:
            self.in_hand[row.endpoint_id] -= 1
            if self.in_hand[row.endpoint_id] <= 0:
                del self.in_hand[row.endpoint_id]

    async def _record(self, runtime: Runtime, row: Any, outcome: webhook_http.Outcome, at: datetime) -> None:
        attempt_no = row.attempts + 1
        now = utcnow()
        retry_until = row.retry_until or row.created_at + self.config.retry.window
        common = {"attempts": attempt_no, "last_status_code": outcome.status_code, "last_error": outcome.error,
                  "last_latency_ms": outcome.latency_ms, "retry_until": retry_until}
        self.counters["attempts"] += 1
        if outcome.delivered:
            values = {**common, "status": "delivered", "next_attempt_at": None, "delivered_at": now}
            self.counters["delivered"] += 1
        else:
            self.counters["failed_attempts"] += 1
            next_at = self.config.retry.next_attempt(attempt_no, now, retry_until, self.rand)
            values = {**common, "status": "pending" if next_at else "failed", "next_attempt_at": next_at}
            if next_at is None:
                self.counters["given_up"] += 1
                log.warning("webhook delivery given up", extra={"delivery_id": row.delivery_id, "error": outcome.error})
        attempt = {"attempt": attempt_no, "at": at, "status_code": outcome.status_code,
                   "latency_ms": outcome.latency_ms, "error": outcome.error, "response_excerpt": outcome.excerpt}
        async with runtime.db.writing() as session:
            await webhooks_repo.record_attempt(session, row.delivery_id, attempt, values)
            await session.commit()
