"""The HTTP edge and the database layer: problem+json, health, correlation, idempotency, SQLite writes."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from probe_service.app import Settings, create_app
from xinyidai_shared.auth import Role
from xinyidai_shared.testing import TEST_SECRET, app_client, auth, free_port


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


async def _events(app) -> int:  # noqa: ANN001
    async with app.state.runtime.db.read_session() as session:
        return (await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one()


async def test_a_natural_key_replays_the_first_answer_and_refuses_another_request(db_url: str) -> None:
    app = _app(db_url)
    bank_a, bank_b = auth(Role.BANK, "bank-a"), auth(Role.BANK, "bank-b")
    async with app_client(app) as client:
        first = await client.post("/orders/b1", json={"ref": "R-1", "amount": 5}, headers=bank_a)
        # Same request with other key order and spacing: the validated body is what counts.
        again = await client.post("/orders/b1", content=b'{ "amount":5,  "ref":"R-1" }',
                                  headers={**bank_a, "content-type": "application/json"})
        assert first.status_code == 201 and (again.status_code, again.json()) == (201, first.json())
        assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
        other_body = await client.post("/orders/b1", json={"ref": "R-1", "amount": 6}, headers=bank_a)
        other_path = await client.post("/orders/b2", json={"ref": "R-1", "amount": 5}, headers=bank_a)
        for refused in (other_body, other_path):
            assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == "IDEMPOTENCY_KEY_REUSED" and refused.json()["key"] == "R-1"
        other_org = await client.post("/orders/b1", json={"ref": "R-1", "amount": 6}, headers=bank_b)
        assert other_org.status_code == 201  # keys are the caller organisation's own
        assert await _events(app) == 2


async def test_an_idempotency_key_is_scoped_by_route_and_without_one_a_command_runs_each_time(db_url: str) -> None:
    app = _app(db_url)
    bank = auth(Role.BANK, "bank-a")
    keyed = {**bank, "Idempotency-Key": "k-1"}
    async with app_client(app) as client:
        first = await client.post("/notes", json={"ref": "n", "amount": 1}, headers=keyed)
        replay = await client.post("/notes", json={"ref": "n", "amount": 1}, headers=keyed)
        assert (first.status_code, replay.status_code, replay.json()) == (201, 201, first.json())
        reused = await client.post("/notes", json={"ref": "n", "amount": 2}, headers=keyed)
        assert (reused.status_code, reused.json()["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
        # The same key on another route is another key; the order's natural key is checked as well.
        elsewhere = await client.post("/orders/b1", json={"ref": "R-9", "amount": 1}, headers=keyed)
        assert elsewhere.status_code == 201
        clash = await client.post("/orders/b1", json={"ref": "R-9", "amount": 2}, headers={**bank, "Idempotency-Key": "k-2"})
        assert (clash.status_code, clash.json()["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
        assert await _events(app) == 2
        for _ in range(2):
            assert (await client.post("/notes", json={"ref": "n", "amount": 1}, headers=bank)).status_code == 201
        assert await _events(app) == 4
        for bad in ("has space", "é".encode(), ""):
            refused = await client.post("/notes", json={"ref": "n", "amount": 1}, headers={**bank, "Idempotency-Key": bad})
            assert (refused.status_code, refused.json()["code"]) == (422, "VALIDATION_FAILED"), bad


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
