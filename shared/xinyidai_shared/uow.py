"""The unit of work: one transaction per command, its events written to the outbox in that transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .clock import utcnow
from .db import Database
from .errors import Conflict
from .events import TOPICS, Envelope, EventPayload, envelope_for
from .logs import correlation_id
from .tables import MessagingTables


class UnitOfWork:
    """Owns a write session; ``publish`` queues events, ``commit`` writes them to the outbox atomically."""

    def __init__(
        self, db: Database, tables: MessagingTables, service: str, on_commit: Callable[[], None] | None = None
    ) -> None:
        self.db = db
        self.tables = tables
        self.service = service
        self.topic = TOPICS[service]
        self._on_commit = on_commit
        self._pending: list[Envelope] = []
        self.session: AsyncSession | None = None
        self.committed = False

    async def __aenter__(self) -> "UnitOfWork":
        await self.db.writer_gate.__aenter__()
        self.session = self.db.write_session()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.session is not None
        try:
            if not self.committed:
                await self.session.rollback()
            await self.session.close()
        finally:
            await self.db.writer_gate.__aexit__(None, None, None)

    def publish(self, payload: EventPayload) -> Envelope:
        """Queue an event; it reaches the outbox only if this unit of work commits."""
        if payload.producer != self.service:
            raise ValueError(f"{self.service} may not publish {payload.type} (producer {payload.producer})")
        envelope = envelope_for(payload, correlation_id=correlation_id.get())
        self._pending.append(envelope)
        return envelope

    @property
    def published(self) -> list[Envelope]:
        return list(self._pending)

    async def commit(self) -> None:
        """Write queued events to the outbox and commit everything in one transaction."""
        assert self.session is not None
        if self._pending:
            now = utcnow()
            rows = [
                {
                    "event_id": str(env.id),
                    "topic": self.topic,
                    "key": env.key,
                    "type": env.type,
                    "envelope": env.model_dump_json(),
                    "created_at": now,
                }
                for env in self._pending
            ]
            await self.session.execute(insert(self.tables.outbox), rows)
        await self.session.commit()
        self.committed = True
        if self._pending and self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        assert self.session is not None
        self._pending.clear()
        await self.session.rollback()


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def idempotent_replay(uow: UnitOfWork, *, org_id: str, key: str, body: bytes) -> StoredResponse | None:
    """The first answer to (org, key) when the body is the same; refuse the key reused with another body."""
    table = uow.tables.idempotency
    row = (
        await uow.session.execute(select(table).where(table.c.org_id == org_id, table.c.key == key))
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash(body):
        raise Conflict("IDEMPOTENCY_KEY_REUSED", f"Idempotency-Key {key!r} was used with a different body")
    return StoredResponse(row.status_code, orjson.loads(row.response_body))


async def idempotent_store(
    uow: UnitOfWork, *, org_id: str, key: str, body: bytes, status_code: int, response: Any
) -> None:
    """Remember the answer to (org, key) in the same transaction as the effect."""
    await uow.session.execute(
        insert(uow.tables.idempotency).values(
            org_id=org_id,
            key=key,
            request_hash=request_hash(body),
            status_code=status_code,
            response_body=orjson.dumps(response).decode(),
            created_at=utcnow(),
        )
    )
