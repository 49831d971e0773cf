"""The consumer of fund-ledger: the shared runner's guarantees, plus group commit for bursts of approvals.

A poll often returns many `ClaimApproved` in a row (a yearly batch of claims, a replay). Applying such a
run in one transaction (inbox rows for all, one commit) pays the same amounts in the same order as one by
one, at a fraction of the cost. If the group fails for any reason, each message goes through the shared
per-message path again (retries, then dead letter), so no guarantee is weakened.
"""

from __future__ import annotations

import logging

from aiokafka.structs import ConsumerRecord
from sqlalchemy import insert, select
from xinyidai_shared.clock import utcnow
from xinyidai_shared.consumer import ConsumerRunner, Undecodable, UowFactory, decode
from xinyidai_shared.events import TOPICS, ClaimApproved, Envelope
from xinyidai_shared.relay import ensure_topics, make_producer
from xinyidai_shared.runtime import Runtime

from ..service_layer.compensation import approve_many
from .consumers import handlers_for
from ..service_layer.rules import LedgerRules

log = logging.getLogger(__name__)


async def apply_approvals_once(uow_factory: UowFactory, items: list[tuple[Envelope, ClaimApproved]], rules: LedgerRules) -> int:
    """Apply the approvals the inbox has not seen, all in one transaction; returns how many were new."""
    async with uow_factory() as uow:
        inbox = uow.tables.inbox
        ids = [str(envelope.id) for envelope, _ in items]
        seen = {r.event_id for r in (await uow.session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(ids)))).all()}
        fresh: list[tuple[ClaimApproved, Envelope]] = []
        for envelope, payload in items:
            if str(envelope.id) not in seen:
                seen.add(str(envelope.id))
                fresh.append((payload, envelope))
        if not fresh:
            return 0
        now = utcnow()
        await uow.session.execute(insert(inbox), [{"event_id": str(e.id), "type": e.type, "handled_at": now} for _, e in fresh])
        await approve_many(uow, fresh, rules)
        await uow.commit()
        return len(fresh)


class BatchingConsumerRunner(ConsumerRunner):
    """`ConsumerRunner` whose runs of consecutive `ClaimApproved` in one poll commit together."""

    def __init__(self, *, rules: LedgerRules, **kwargs) -> None:  # noqa: ANN003 - ConsumerRunner's arguments
        super().__init__(**kwargs)
        self.rules = rules

    async def run(self) -> None:
        """Consume until cancelled; offsets are committed only after the database commits."""
        consumer = self._consumer()
        await consumer.start()
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for tp, messages in batches.items():
                    await self.handle_many(messages)
                    await consumer.commit({tp: messages[-1].offset + 1})
        finally:
            await consumer.stop()

    async def handle_many(self, messages: list[ConsumerRecord]) -> None:
        """Group consecutive approvals; everything else goes through the shared per-message path, in order."""
        run: list[tuple[ConsumerRecord, Envelope, ClaimApproved]] = []
        for message in messages:
            try:
                envelope, payload = decode(message.value)
            except Undecodable:
                envelope, payload = None, None
            if isinstance(payload, ClaimApproved):
                run.append((message, envelope, payload))
                continue
            await self._flush(run)
            run = []
            await self.handle(message)
        await self._flush(run)

    async def _flush(self, run: list[tuple[ConsumerRecord, Envelope, ClaimApproved]]) -> None:
        if len(run) > 1:
            try:
                self.applied += await apply_approvals_once(self.uow_factory, [(e, p) for _, e, p in run], self.rules)
                return
            except Exception as exc:  # noqa: BLE001 - the per-message path retries and parks with the reason
                log.warning("group commit failed; applying one by one", extra={"events": len(run), "error": repr(exc)})
        for message, _, _ in run:
            await self.handle(message)


async def run_consumer(runtime: Runtime) -> None:
    """Supervised job: consume the claims topic with group commit (the runtime relays our outbox)."""
    settings = runtime.settings
    if not settings.kafka_bootstrap:
        return
    rules = LedgerRules.from_settings(settings)
    topics = [TOPICS[name] for name in runtime.spec.consumes]
    await ensure_topics(settings.kafka_bootstrap, topics, settings.kafka_partitions)
    producer = make_producer(settings.kafka_bootstrap)
    await producer.start()
    try:
        runner = BatchingConsumerRunner(
            rules=rules, bootstrap=settings.kafka_bootstrap, group=runtime.spec.name, topics=topics,
            handlers=handlers_for(rules), uow_factory=runtime.uow, dlq_producer=producer,
            max_attempts=settings.consumer_max_attempts, backoff_s=settings.consumer_retry_backoff_s,
        )
        runtime.consumer = runner
        await runner.run()
    finally:
        await producer.stop()
