"""The outbox relay: publishes committed events in order, marks them sent, keeps them for replay."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from .clock import utcnow
from .db import Database
from .tables import MessagingTables

log = logging.getLogger(__name__)
LEASE_S = 45.0  # longer than a batch can take to publish (producer timeout 15 s), renewed at half
LEASE_RETRY_S = 2.0  # how often a replica without the lease looks again


def outbox_channel(service: str) -> str:
    """The PostgreSQL notification channel on which a service's commits announce new outbox rows."""
    return "xyd_outbox_" + service.replace("-", "_")


def kafka_options(settings) -> dict[str, Any]:  # noqa: ANN001 - ServiceSettings (settings imports nothing of ours)
    """Options every Kafka client of a service shares: its SASL login when the broker asks for one."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    return {
        "security_protocol": settings.kafka_security_protocol,
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_username,
        "sasl_plain_password": settings.kafka_password,
    }


def make_producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    """acks=all and our own outbox/inbox: no Kafka idempotence (the local broker refuses it)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=2, request_timeout_ms=15000,
        **options,
    )


async def ensure_topics(bootstrap: str, topics: list[str], partitions: int, **options: Any) -> None:
    """Create the topics we use with the partition count we want; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another service created it between our look and our create
    finally:
        await admin.close()


async def publish_rows(producer: AIOKafkaProducer, rows: list) -> None:
    """Send rows (in seq order) and wait for every acknowledgement; sends are batched, not awaited one by one."""
    futures = [
        await producer.send(row.topic, value=row.envelope.encode(), key=row.key.encode()) for row in rows
    ]
    await asyncio.gather(*futures)


class OutboxRelay:
    """Moves outbox rows to Kafka. Only the lease holder relays, so per-key order survives scaling out."""

    def __init__(
        self, db: Database, tables: MessagingTables, producer: AIOKafkaProducer, *, batch_size: int, poll_s: float,
        channel: str | None = None,
    ) -> None:
        self.db, self.tables, self.producer = db, tables, producer
        self.batch_size, self.poll_s = batch_size, poll_s
        self.channel = channel  # PostgreSQL: commits of every process notify it (``outbox_channel``)
        self.wakeup = asyncio.Event()
        self.holder = uuid.uuid4().hex
        self.sent_total = 0
        self._lease_until = utcnow()

    def notify(self) -> None:
        """Called after a commit that wrote outbox rows: relay now instead of at the next poll."""
        self.wakeup.set()

    async def _hold_lease(self) -> bool:
        now = utcnow()
        if now < self._lease_until - timedelta(seconds=LEASE_S / 2):
            return True  # renewing on every loop would take SQLite's write lock five times a second
        held = await self._renew_lease(now)
        self._lease_until = now + timedelta(seconds=LEASE_S) if held else now
        return held

    async def _renew_lease(self, now) -> bool:  # noqa: ANN001
        lease = self.tables.lease
        async with self.db.writing() as session:
            result = await session.execute(
                update(lease)
                .where(lease.c.name == "outbox", or_(lease.c.holder == self.holder, lease.c.expires_at < now))
                .values(holder=self.holder, expires_at=now + timedelta(seconds=LEASE_S))
            )
            if result.rowcount == 0:
                exists = (await session.execute(select(lease.c.name).where(lease.c.name == "outbox"))).first()
                if exists is None:
                    try:
                        await session.execute(
                            insert(lease).values(
                                name="outbox", holder=self.holder, expires_at=now + timedelta(seconds=LEASE_S)
                            )
                        )
                    except IntegrityError:
                        await session.rollback()
                        return False
                    await session.commit()
                    return True
                await session.rollback()
                return False
            await session.commit()
            return True

    async def relay_once(self) -> int:
        """Publish one batch of unsent rows; return how many were sent."""
        outbox = self.tables.outbox
        async with self.db.read_session() as session:
            rows = (
                await session.execute(
                    select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.envelope)
                    .where(outbox.c.sent_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0
        await publish_rows(self.producer, rows)
        async with self.db.writing() as session:
            await session.execute(
                update(outbox).where(outbox.c.seq.in_([r.seq for r in rows])).values(sent_at=utcnow())
            )
            await session.commit()
        self.sent_total += len(rows)
        return len(rows)

    @asynccontextmanager
    async def _listening(self) -> AsyncIterator[None]:
        """On PostgreSQL, wake on the commits of other processes (replicas, workers) too, not only ours."""
        if self.channel is None or self.db.is_sqlite:
            yield
            return
        async with self.db.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            wake = lambda *_: self.wakeup.set()  # noqa: E731 - (connection, pid, channel, payload)
            await driver.add_listener(self.channel, wake)
            try:
                yield
            finally:
                await driver.remove_listener(self.channel, wake)

    async def run(self) -> None:
        """Relay forever: a batch whenever notified, otherwise poll. A clean stop hands the lease back."""
        try:
            async with self._listening():
                await self._relay_loop()
        finally:
            await self._release_lease()

    async def _relay_loop(self) -> None:
        """Relay batches while holding the lease; between them wait for a wake-up or the poll interval."""
        while True:
            if not await self._hold_lease():
                await asyncio.sleep(LEASE_RETRY_S)
                continue
            self.wakeup.clear()
            sent = await self.relay_once()
            if sent < self.batch_size:
                try:
                    await asyncio.wait_for(self.wakeup.wait(), timeout=self.poll_s)
                except TimeoutError:
                    pass

    async def _release_lease(self) -> None:
        # A restarted process (a new holder) then relays at once instead of waiting out the old lease.
        lease = self.tables.lease
        try:
            async with self.db.writing() as session:
                await session.execute(update(lease).where(lease.c.holder == self.holder).values(expires_at=utcnow()))
                await session.commit()
        except Exception:  # noqa: BLE001 - stopping anyway; the lease then simply expires
            log.warning("could not hand the relay lease back; it will expire", exc_info=True)


async def replay(db: Database, tables: MessagingTables, producer: AIOKafkaProducer, *, seq_from: int, seq_to: int) -> int:
    """Republish outbox rows seq_from..seq_to (inclusive), sent or not; consumers' inboxes absorb repeats."""
    outbox = tables.outbox
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.envelope)
                .where(outbox.c.seq >= seq_from, outbox.c.seq <= seq_to)
                .order_by(outbox.c.seq)
            )
        ).all()
    if rows:
        await publish_rows(producer, rows)
    return len(rows)
