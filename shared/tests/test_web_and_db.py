"""The HTTP edge and the database layer: problem+json, health, correlation, idempotency, SQLite writes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from probe_service.app import Settings, create_app
from xinyidai_shared.errors import Conflict
from xinyidai_shared.testing import TEST_SECRET, app_client, free_port
from xinyidai_shared.uow import idempotent_replay, idempotent_store


def _app(url: str, **over):  # noqa: ANN003, ANN202
    return create_app(Settings(database_url=url, auth_secret=TEST_SECRET, log_json=False, **over))


async def test_unknown_route_and_bad_input_answer_problem_json_with_stable_codes(sqlite_url: str) -> None:
    async with app_client(_app(sqlite_url)) as client:
        missing = await client.get("/nowhere")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["code"] == "NOT_FOUND"
        bad = await client.post("/probes/k/not-a-number")
        assert bad.status_code == 422
        assert bad.json()["code"] == "VALIDATION_FAILED"
        assert bad.json()["errors"][0]["field"] == "path.n"


async def test_readyz_reports_the_broker_unavailable_when_it_cannot_be_reached(sqlite_url: str) -> None:
    async with app_client(_app(sqlite_url)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    async with app_client(_app(sqlite_url, kafka_bootstrap=f"127.0.0.1:{free_port()}")) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["broker"] == "unavailable"
        assert (await client.get("/healthz")).status_code == 200


async def test_correlation_id_is_echoed_or_made_and_lands_in_the_outbox(sqlite_url: str) -> None:
    app = _app(sqlite_url)
    async with app_client(app) as client:
        given = await client.post("/probes/c/1", headers={"X-Correlation-ID": "req-42"})
        assert given.headers["x-correlation-id"] == "req-42"
        made = await client.post("/probes/c/2")
        assert len(made.headers["x-correlation-id"]) == 32
        async with app.state.runtime.db.read_session() as session:
            envelopes = (await session.execute(text("SELECT envelope FROM outbox ORDER BY seq"))).scalars().all()
        assert '"correlation_id":"req-42"' in envelopes[0]
        assert made.headers["x-correlation-id"] in envelopes[1]


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(sqlite_url: str) -> None:
    app = _app(sqlite_url)
    async with app_client(app):
        runtime = app.state.runtime
        async with runtime.uow() as uow:
            assert await idempotent_replay(uow, org_id="bank-a", key="k1", body=b'{"a":1}') is None
            await idempotent_store(uow, org_id="bank-a", key="k1", body=b'{"a":1}', status_code=201, response={"id": "x"})
            await uow.commit()
        async with runtime.uow() as uow:
            stored = await idempotent_replay(uow, org_id="bank-a", key="k1", body=b'{"a":1}')
            assert (stored.status_code, stored.body) == (201, {"id": "x"})
            assert await idempotent_replay(uow, org_id="bank-b", key="k1", body=b'{"a":2}') is None  # keys are per org
            with pytest.raises(Conflict) as info:
                await idempotent_replay(uow, org_id="bank-a", key="k1", body=b'{"a":2}')
            assert info.value.code == "IDEMPOTENCY_KEY_REUSED"


async def test_sqlite_read_check_write_under_concurrency_loses_no_update(sqlite_url: str) -> None:
    """Invariant: BEGIN IMMEDIATE serialises writers, so 60 concurrent increments make 60."""
    app = _app(sqlite_url)
    async with app_client(app):
        db = app.state.runtime.db
        async with db.write_session() as session:
            await session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
            await session.execute(text("INSERT INTO counter VALUES (1, 0)"))
            await session.commit()

        async def increment() -> None:
            async with db.write_session() as session:
                n = (await session.execute(text("SELECT n FROM counter WHERE id = 1"))).scalar_one()
                await asyncio.sleep(0.001)  # widen the race window a deferred BEGIN would lose
                await session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                await session.commit()

        await asyncio.gather(*(increment() for _ in range(60)))
        async with db.read_session() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar_one() == 60
        async with db.read_session() as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"


async def test_only_one_relay_holds_the_lease_and_a_clean_stop_hands_it_over(sqlite_url: str) -> None:
    """Invariant: one publisher per outbox (per-key order); a restart does not wait out the old lease."""
    from xinyidai_shared.relay import OutboxRelay

    app = _app(sqlite_url)
    async with app_client(app):
        runtime = app.state.runtime
        first = OutboxRelay(runtime.db, runtime.spec.tables, producer=None, batch_size=10, poll_s=0.05)
        second = OutboxRelay(runtime.db, runtime.spec.tables, producer=None, batch_size=10, poll_s=0.05)
        assert await first._hold_lease() is True
        assert await second._hold_lease() is False
        running = asyncio.create_task(first.run())  # nothing to send: it idles holding the lease
        await asyncio.sleep(0.2)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        assert await second._hold_lease() is True
