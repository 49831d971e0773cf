"""The consumer runner: inbox dedupe in the effect's transaction, offsets after the database commit,
retries with backoff, then a dead-letter topic (and table) with the reason. Never a silent ack."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from itertools import groupby
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from .clock import utcnow
from .events import TOPICS, Envelope, EventPayload, UnknownEvent, dead_letter_topic, owner_of
from .logs import correlation_id
from .signing import EventRefused, KeyRing
from .uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]
# Applies a run of consecutive events of one type at once (e.g. a burst of approvals planned together);
# it sets each event's correlation id on what it publishes itself.
GroupHandler = Callable[[UnitOfWork, list[tuple[Any, Envelope]]], Awaitable[None]]
UowFactory = Callable[[], UnitOfWork]


class Undecodable(Exception):
    """A message that no retry can make readable: parked at once."""


def decode(raw: bytes) -> tuple[Envelope, EventPayload | None]:
    """Envelope and typed payload; the payload is None when the type is not one we know."""
    try:
        envelope = Envelope.model_validate_json(raw)
    except ValidationError as exc:
        raise Undecodable(f"not an event envelope: {exc.errors()[:3]}") from exc
    try:
        return envelope, envelope.decode()
    except UnknownEvent:
        return envelope, None
    except ValidationError as exc:
        raise Undecodable(f"payload does not match {envelope.type} v{envelope.version}: {exc.errors()[:3]}") from exc


def authenticate(keyring: KeyRing, topic: str, raw: bytes, envelope: Envelope) -> None:
    """Refuse an event that its owner did not sign or that travels on another topic than its owner's.

    An event type has one owner (``events.owner_of``), which publishes it on its own topic only; the
    signature, by a key of that owner, covers the topic too. Raises ``EventRefused`` with a code.
    """
    owner = owner_of(envelope.type, envelope.version)
    if envelope.producer != owner:
        raise EventRefused("EVENT_WRONG_PRODUCER", f"{envelope.type} is published by {owner}, not {envelope.producer}")
    if TOPICS.get(owner) != topic:
        raise EventRefused("EVENT_WRONG_TOPIC", f"{envelope.type} belongs on {TOPICS.get(owner)}, not on {topic}")
    keyring.verify(topic, orjson.loads(raw))


async def apply_once(uow_factory: UowFactory, handler: Handler, envelope: Envelope, payload: EventPayload) -> bool:
    """Run ``handler`` unless the inbox has the event; inbox row and effect commit together. True if applied."""
    async with uow_factory() as uow:
        inbox = uow.tables.inbox
        seen = (await uow.session.execute(select(inbox.c.event_id).where(inbox.c.event_id == str(envelope.id)))).first()
        if seen is not None:
            return False
        await uow.session.execute(
            insert(inbox).values(event_id=str(envelope.id), type=envelope.type, handled_at=utcnow())
        )
        await handler(uow, payload, envelope)
        try:
            await uow.commit()
        except IntegrityError:
            # Only a duplicate if another consumer instance committed this very event first (the inbox
            # says so); any other constraint is a real failure for the retry-then-park path.
            if await _in_inbox(uow_factory, str(envelope.id)):
                return False
            raise
        return True


async def _in_inbox(uow_factory: UowFactory, event_id: str) -> bool:
    probe = uow_factory()
    inbox = probe.tables.inbox
    async with probe.db.read_session() as session:
        return (await session.execute(select(inbox.c.event_id).where(inbox.c.event_id == event_id))).first() is not None


async def apply_group(
    uow_factory: UowFactory,
    items: list[tuple[Handler, Envelope, EventPayload]],
    group_handlers: dict[str, GroupHandler] | None = None,
) -> int:
    """Apply a poll's events in one transaction (group commit): the inbox rows and every effect commit
    together, in order, skipping ids the inbox has; returns how many were new. A run of consecutive
    events whose type has a group handler goes to that handler in one call."""
    group_handlers = group_handlers or {}
    async with uow_factory() as uow:
        inbox = uow.tables.inbox
        ids = [str(envelope.id) for _, envelope, _ in items]
        seen = set((await uow.session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(ids)))).scalars())
        fresh = []
        for handler, envelope, payload in items:
            if str(envelope.id) not in seen:
                seen.add(str(envelope.id))  # a duplicate inside the same poll applies once too
                fresh.append((handler, envelope, payload))
        if not fresh:
            return 0
        now = utcnow()
        await uow.session.execute(insert(inbox), [{"event_id": str(e.id), "type": e.type, "handled_at": now} for _, e, _ in fresh])
        for event_type, run in groupby(fresh, key=lambda item: item[1].type):
            run = list(run)
            if event_type in group_handlers:
                await group_handlers[event_type](uow, [(payload, envelope) for _, envelope, payload in run])
                continue
            for handler, envelope, payload in run:
                token = correlation_id.set(envelope.correlation_id)
                try:
                    await handler(uow, payload, envelope)
                finally:
                    correlation_id.reset(token)
        await uow.commit()
        return len(fresh)


class ConsumerRunner:
    """Consumes the given topics as one consumer group and applies each known event exactly once."""

    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        topics: list[str],
        handlers: dict[str, Handler],
        uow_factory: UowFactory,
        dlq_producer: AIOKafkaProducer,
        keyring: KeyRing,
        max_attempts: int = 4,
        backoff_s: float = 0.2,
        group_handlers: dict[str, GroupHandler] | None = None,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        self.bootstrap, self.group, self.topics = bootstrap, group, topics
        self.handlers, self.uow_factory, self.dlq_producer = handlers, uow_factory, dlq_producer
        self.max_attempts, self.backoff_s = max_attempts, backoff_s
        self.group_handlers = group_handlers or {}
        self.keyring = keyring
        self.client_options = client_options or {}  # SASL login (relay.kafka_options)
        self.applied = 0
        self.parked = 0
        # Events refused as untrustworthy, by code (EVENT_UNSIGNED, EVENT_SIGNATURE_INVALID, ...); each is
        # also parked, so the dead letters hold them with their reason.
        self.refused: Counter[str] = Counter()

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap,
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,
            # A fetch waits at most this long for data: the broker answers an empty fetch only when the
            # wait expires, so the default 500 ms would add up to half a second to every hop.
            fetch_max_wait_ms=20,
            # Short sessions make a dead member's partitions move on quickly (the local broker waits
            # for the old member's session to expire before it finishes a rebalance).
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
            rebalance_timeout_ms=6000,
            **self.client_options,
        )

    async def run(self) -> None:
        """Consume until cancelled; offsets are committed only after each message's database commit."""
        consumer = self._consumer()
        try:
            await consumer.start()
            while True:
                batches = await consumer.getmany(timeout_ms=500)
                for tp, messages in batches.items():
                    await self.handle_poll(messages)
                    await consumer.commit({tp: messages[-1].offset + 1})
        finally:
            await consumer.stop()

    async def handle_poll(self, messages: list[ConsumerRecord]) -> None:
        """Apply one partition's poll: as one group commit when it can, else message by message.

        A burst (a batch of approved claims, a replay) then costs one transaction instead of hundreds.
        If the group fails for any reason, it is rolled back whole and each message goes through the
        per-message path (retries, then dead letter), so no guarantee is weakened.
        """
        group, rest = [], []
        for message in messages:
            try:
                envelope, payload = decode(message.value)
            except Undecodable:
                rest.append(message)
                continue
            if payload is None:
                continue  # a type nobody registered: nothing can apply it
            try:
                authenticate(self.keyring, message.topic, message.value, envelope)
            except EventRefused:
                rest.append(message)  # the per-message path parks it with its reason
                continue
            handler = self.handlers.get(envelope.type)
            if handler is not None:
                group.append((handler, envelope, payload))
        if len(group) > 1:
            try:
                self.applied += await apply_group(self.uow_factory, group, self.group_handlers)
            except Exception as exc:  # noqa: BLE001 - the per-message path retries and parks with the reason
                log.warning("group commit failed; applying one by one", extra={"events": len(group), "error": repr(exc)})
                rest = messages
        else:
            rest = messages
        for message in rest:
            await self.handle(message)

    async def handle(self, message: ConsumerRecord) -> None:
        """Decode, dedupe and apply one message, retrying with backoff; park it if it keeps failing."""
        try:
            envelope, payload = decode(message.value)
        except Undecodable as exc:
            await self.park(message, None, str(exc))
            return
        if payload is None:
            return  # a type nobody registered: nothing can apply it, nothing to park
        # Every known event on a topic we read is checked, consumed or not: a forged or misplaced one is
        # evidence of an intruder, so it is parked and counted rather than quietly skipped.
        try:
            authenticate(self.keyring, message.topic, message.value, envelope)
        except EventRefused as exc:
            self.refused[exc.code] += 1
            log.warning("event refused", extra={"code": exc.code, "type": envelope.type, "topic": message.topic})
            await self.park(message, envelope, str(exc))
            return
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return  # an event this service does not consume: nothing to apply, nothing to park
        token = correlation_id.set(envelope.correlation_id)
        try:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    if await apply_once(self.uow_factory, handler, envelope, payload):
                        self.applied += 1
                    return
                except Exception as exc:  # noqa: BLE001 - any failure is retried, then parked with its reason
                    log.warning(
                        "event handling failed",
                        extra={"event_id": str(envelope.id), "type": envelope.type, "attempt": attempt, "error": repr(exc)},
                    )
                    if attempt == self.max_attempts:
                        await self.park(message, envelope, f"{type(exc).__name__}: {exc}")
                        return
                    await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
        finally:
            correlation_id.reset(token)

    async def park(self, message: ConsumerRecord, envelope: Envelope | None, reason: str) -> None:
        """Send the message to the dead-letter topic with its reason, and keep a row for operators."""
        self.parked += 1
        topic = dead_letter_topic(message.topic, self.group)
        headers = [("reason", reason[:1000].encode()), ("source", f"{message.topic}/{message.partition}/{message.offset}".encode())]
        await self.dlq_producer.send_and_wait(topic, value=message.value, key=message.key, headers=headers)
        async with self.uow_factory() as uow:
            await uow.session.execute(
                insert(uow.tables.dead_letter).values(
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    event_id=str(envelope.id) if envelope else None,
                    reason=reason,
                    raw=message.value.decode(errors="replace"),
                    parked_at=utcnow(),
                )
            )
            await uow.commit()
        log.error("event parked in dead letters", extra={"topic": topic, "reason": reason})


__all__ = ["ConsumerRunner", "GroupHandler", "Handler", "apply_group", "apply_once", "authenticate", "decode"]
