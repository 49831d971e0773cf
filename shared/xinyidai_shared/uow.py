"""The unit of work: one transaction per command, its events written to the outbox in that transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from .audit import AuditContext, record
from .clock import utcnow
from .db import Database
from .events import TOPICS, Envelope, EventPayload, envelope_for
from .logs import correlation_id
from .relay import outbox_channel
from .signing import Signer
from .tables import MessagingTables


class UnitOfWork:
    """Owns a write session; ``publish`` queues events, ``commit`` writes them to the outbox atomically."""

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        service: str,
        on_commit: Callable[[], None] | None = None,
        signer: Signer | None = None,
        audit_context: AuditContext | None = None,
    ) -> None:
        self.db = db
        self.tables = tables
        self.service = service
        self.topic = TOPICS[service]
        self._on_commit = on_commit
        # Envelopes are signed as they enter the outbox; without a signer (scratch tools, unit tests of
        # handlers) they go unsigned, and every consumer refuses them.
        self.signer = signer
        # Set while serving an HTTP request: a committed write then leaves its audit-trail row.
        self.audit_context = audit_context
        self._audit_detail: dict[str, Any] = {}
        self._audit_ids: dict[str, Any] = {}
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

    def audit(self, *, before: Any = None, after: Any = None, **ids: Any) -> None:
        """Add to this write's audit-trail row what the route does not show: the state or amount before
        and after, and the ids of the objects it changed."""
        if before is not None:
            self._audit_detail["before"] = before
        if after is not None:
            self._audit_detail["after"] = after
        self._audit_ids.update(ids)

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
                    "envelope": self._serialise(env),
                    "created_at": now,
                }
                for env in self._pending
            ]
            await self.session.execute(insert(self.tables.outbox), rows)
            if self.session.bind.dialect.name == "postgresql":
                # Delivered when this transaction commits: the relay of another process wakes at once.
                await self.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": outbox_channel(self.service)})
        if self.audit_context is not None and self.audit_context.is_write:
            await self._record_audit()
        await self.session.commit()
        self.committed = True
        if self._pending and self._on_commit is not None:
            self._on_commit()

    async def _record_audit(self) -> None:
        detail = dict(self._audit_detail)
        if self._pending:
            detail["events"] = [{"type": env.type, "key": env.key} for env in self._pending]
        await record(self.session, self.tables.audit, self.audit_context, at=utcnow(), detail=detail, ids=self._audit_ids)

    def _serialise(self, envelope: Envelope) -> str:
        if self.signer is None:
            return envelope.model_dump_json()
        return self.signer.sign(self.topic, envelope.model_dump(mode="json")).decode()

    async def rollback(self) -> None:
        assert self.session is not None
        self._pending.clear()
        await self.session.rollback()
