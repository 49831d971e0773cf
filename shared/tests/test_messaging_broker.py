"""Outbox relay and consumer runner against the real Tansu broker and real SQLite / PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from probe_service.app import Applied, ProbeHappened, Settings, create_app, hooks, spec
from xinyidai_shared.consumer import ConsumerRunner
from xinyidai_shared.events import TOPICS, dead_letter_topic
from xinyidai_shared.relay import OutboxRelay, ensure_topics, make_producer, replay
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.testing import TEST_SECRET, eventually


@pytest.fixture(autouse=True)
def own_topic(monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test its own topic, so no test consumes another's events."""
    topic = f"xyd.probe.{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(TOPICS, "probe", topic)
    return topic


def _settings(db_url: str, bootstrap: str) -> Settings:
    return Settings(database_url=db_url, kafka_bootstrap=bootstrap, auth_secret=TEST_SECRET, log_json=False)


async def _applied(runtime: Runtime, key: str) -> list[int]:
    async with runtime.db.read_session() as session:
        rows = await session.execute(select(Applied.n).where(Applied.key == key).order_by(Applied.seq))
        return list(rows.scalars())


async def _publish(runtime: Runtime, events: list[ProbeHappened]) -> None:
    async with runtime.uow() as uow:
        for event in events:
            uow.publish(event)
        await uow.commit()


async def test_relay_keeps_order_per_key_and_consumer_applies_each_once(db_url: str, kafka_bootstrap: str) -> None:
    """Invariant: events of one aggregate arrive in the order they were committed, each applied once."""
    app = create_app(_settings(db_url, kafka_bootstrap))
    runtime: Runtime = app.state.runtime
    keys = [f"k-{uuid.uuid4().hex[:6]}-{i}" for i in range(8)]
    async with app.router.lifespan_context(app):
        for batch in range(5):
            await _publish(runtime, [ProbeHappened(key=k, n=batch * 10 + j) for j in range(10) for k in keys])

        async def all_applied() -> bool:
            counts = [len(await _applied(runtime, k)) for k in keys]
            return counts == [50] * len(keys)

        await eventually(all_applied, timeout_s=30)
        for k in keys:
            assert await _applied(runtime, k) == list(range(50))

        # Replaying the whole outbox redelivers everything; the inbox makes it change nothing.
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        try:
            assert await replay(runtime.db, spec.tables, producer, seq_from=1, seq_to=10_000) == 400
        finally:
            await producer.stop()
        await asyncio.sleep(1.5)
        for k in keys:
            assert await _applied(runtime, k) == list(range(50))


class _DiesAfter:
    """A producer that sends ``limit`` messages and then dies, like a relay killed mid-batch."""

    def __init__(self, producer, limit: int) -> None:  # noqa: ANN001
        self.producer, self.limit = producer, limit

    async def send(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if self.limit == 0:
            raise ConnectionError("relay killed")
        self.limit -= 1
        return await self.producer.send(*args, **kwargs)


async def test_relay_killed_mid_batch_delivers_the_rest_once_after_restart(sqlite_url: str, kafka_bootstrap: str) -> None:
    """Invariant: a relay dying between send and mark loses nothing and doubles nothing."""
    settings = _settings(sqlite_url, kafka_bootstrap)
    app = create_app(settings.model_copy(update={"kafka_bootstrap": ""}))  # no relay: we drive it by hand
    runtime: Runtime = app.state.runtime
    key = f"kill-{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app):
        await _publish(runtime, [ProbeHappened(key=key, n=n) for n in range(100)])
        await ensure_topics(kafka_bootstrap, [TOPICS["probe"]], 3)
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        try:
            dying = OutboxRelay(runtime.db, spec.tables, _DiesAfter(producer, 40), batch_size=100, poll_s=0.1)
            with pytest.raises(ConnectionError):
                await dying.relay_once()
            restarted = OutboxRelay(runtime.db, spec.tables, producer, batch_size=100, poll_s=0.1)
            assert await restarted.relay_once() == 100  # nothing was marked sent: all go again
            assert await restarted.relay_once() == 0
        finally:
            await producer.stop()
        runner_producer = make_producer(kafka_bootstrap)
        await runner_producer.start()
        runner = ConsumerRunner(
            bootstrap=kafka_bootstrap,
            group=f"g-{uuid.uuid4().hex[:8]}",
            topics=[TOPICS["probe"]],
            handlers=spec.handlers,
            uow_factory=runtime.uow,
            dlq_producer=runner_producer,
            keyring=runtime.keyring,
        )
        task = asyncio.create_task(runner.run())
        try:
            await eventually(lambda: _count(runtime, key, 100), timeout_s=30)
            await asyncio.sleep(0.5)
            assert await _applied(runtime, key) == list(range(100))
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await runner_producer.stop()


async def _count(runtime: Runtime, key: str, expected: int) -> bool:
    async with runtime.db.read_session() as session:
        n = (await session.execute(select(func.count()).select_from(Applied).where(Applied.key == key))).scalar_one()
    return n >= expected


async def test_consumer_dying_before_its_commit_gets_the_event_again_and_applies_it_once(
    db_url: str, kafka_bootstrap: str
) -> None:
    """Invariant: offsets follow the database commit, so an effect is never lost nor doubled."""
    app = create_app(_settings(db_url, kafka_bootstrap).model_copy(update={"kafka_bootstrap": ""}))
    runtime: Runtime = app.state.runtime
    key = f"die-{uuid.uuid4().hex[:8]}"
    group = f"g-{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app):
        await ensure_topics(kafka_bootstrap, [TOPICS["probe"]], 3)
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        await _publish(runtime, [ProbeHappened(key=key, n=n) for n in range(5)])
        relay = OutboxRelay(runtime.db, spec.tables, producer, batch_size=100, poll_s=0.1)
        await relay.relay_once()

        def runner() -> ConsumerRunner:
            return ConsumerRunner(
                bootstrap=kafka_bootstrap, group=group, topics=[TOPICS["probe"]], handlers=spec.handlers,
                uow_factory=runtime.uow, dlq_producer=producer, keyring=runtime.keyring,
            )

        hooks.block = (key, 3)  # the first consumer hangs inside event 3, after its writes, before its commit
        hooks.reached = asyncio.Event()
        first = asyncio.create_task(runner().run())
        try:
            await asyncio.wait_for(hooks.reached.wait(), timeout=30)
            applied = await _applied(runtime, key)
            # Whatever committed before the hang is a prefix (one by one, or nothing if grouped); never 3.
            assert applied == list(range(len(applied))) and 3 not in applied
        finally:
            first.cancel()  # the process dies: the uncommitted event 3 and its offset are gone with it
            await asyncio.gather(first, return_exceptions=True)
        hooks.block = None
        second = asyncio.create_task(runner().run())
        try:
            await eventually(lambda: _count(runtime, key, 5), timeout_s=30)
            await asyncio.sleep(0.5)
            assert await _applied(runtime, key) == [0, 1, 2, 3, 4]
        finally:
            second.cancel()
            await asyncio.gather(second, return_exceptions=True)
            await producer.stop()


async def test_failing_event_is_retried_then_parked_with_its_reason_and_the_rest_flows(
    sqlite_url: str, kafka_bootstrap: str
) -> None:
    """A handler that keeps failing never blocks its partition and is never acknowledged silently."""
    settings = _settings(sqlite_url, kafka_bootstrap).model_copy(update={"consumer_retry_backoff_s": 0.01})
    app = create_app(settings)
    runtime: Runtime = app.state.runtime
    key = f"dlq-{uuid.uuid4().hex[:8]}"
    dlq = dead_letter_topic(TOPICS["probe"], "probe")
    async with app.router.lifespan_context(app):
        await _publish(runtime, [ProbeHappened(key=key, n=1), ProbeHappened(key=key, n=2, fail=True), ProbeHappened(key=key, n=3)])
        await eventually(lambda: _count(runtime, key, 2), timeout_s=30)
        assert await _applied(runtime, key) == [1, 3]  # the failing one's partial write was rolled back
        async with runtime.db.read_session() as session:
            parked = (await session.execute(select(spec.tables.dead_letter))).all()
        assert [p.reason for p in parked if key in p.raw] == ["RuntimeError: probe 2 is told to fail"]
        consumer = AIOKafkaConsumer(dlq, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest", group_id=None)
        await consumer.start()
        try:
            batch = await consumer.getmany(timeout_ms=5000)
            messages = [m for ms in batch.values() for m in ms if key.encode() in m.value]
        finally:
            await consumer.stop()
        assert len(messages) == 1
        assert dict(messages[0].headers)["reason"] == b"RuntimeError: probe 2 is told to fail"


async def test_postgres_relay_wakes_on_a_commit_of_another_process(pg_url: str, kafka_bootstrap: str) -> None:
    """A commit in one process (a second worker or replica) reaches the relay in another at once, by
    LISTEN/NOTIFY, rather than at its next poll (here a minute away)."""
    from sqlalchemy import text

    from xinyidai_shared.db import Database
    from xinyidai_shared.migrations import upgrade_to_head
    from xinyidai_shared.relay import outbox_channel
    from xinyidai_shared.uow import UnitOfWork

    relaying, committing = Database(pg_url), Database(pg_url)
    await upgrade_to_head(relaying, spec.migrations)
    await ensure_topics(kafka_bootstrap, [TOPICS["probe"]], 1)
    producer = make_producer(kafka_bootstrap)
    await producer.start()
    relay = OutboxRelay(relaying, spec.tables, producer, batch_size=100, poll_s=60.0, channel=outbox_channel("probe"))
    task = asyncio.create_task(relay.run())
    try:
        async def listening() -> bool:
            async with committing.read_session() as session:
                query = text("SELECT count(*) FROM pg_stat_activity WHERE query = :listen")
                return (await session.execute(query, {"listen": f'LISTEN "{outbox_channel("probe")}"'})).scalar_one() == 1

        await eventually(listening, timeout_s=15)
        async with UnitOfWork(committing, spec.tables, "probe") as uow:  # no wake-up hook: another process
            uow.publish(ProbeHappened(key="notified", n=1))
            await uow.commit()

        async def sent() -> bool:
            return relay.sent_total == 1

        await eventually(sent, timeout_s=10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()
        await relaying.dispose()
        await committing.dispose()
