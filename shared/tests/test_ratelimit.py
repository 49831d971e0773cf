"""The shared rate limiter: counters in the database, so every process and replica sees the same counts."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import APIRouter, Request
from probe_service.app import Settings, spec, tables
from sqlalchemy import func, select

from xinyidai_shared.db import Database
from xinyidai_shared.errors import DomainError
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.ratelimit import BatchedLimiter, Limit, RateLimiter, bucket_for, decide, hit
from xinyidai_shared.testing import app_client
from xinyidai_shared.web import build_app



class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def databases(db_url):  # noqa: ANN001, ANN201
    """Two Database objects on one database: what two processes (or two replicas) of a service hold."""
    first, second = Database(db_url), Database(db_url)
    await upgrade_to_head(first, spec.migrations)
    yield first, second
    await first.dispose()
    await second.dispose()


async def test_hits_over_the_limit_are_refused_with_the_seconds_to_wait(databases) -> None:
    clock = Clock(1_000_040.0)  # 20 s into a 60 s window
    limiter = RateLimiter(databases[0], tables.rate_limit, clock=clock)
    limit = Limit("objections", 3, 60.0, sliding=False)
    for _ in range(3):
        await limiter.hit(limit, "10.0.0.1")
    with pytest.raises(DomainError) as refused:
        await limiter.hit(limit, "10.0.0.1")
    assert refused.value.code == "RATE_LIMITED" and refused.value.extra["retry_after_s"] == 40
    await limiter.hit(limit, "10.0.0.2")  # another key has its own count
    await limiter.hit(Limit("applications", 3, 60.0), "10.0.0.1")  # and so has another limit
    clock.now += 40  # a fixed window starts afresh
    await limiter.hit(limit, "10.0.0.1")


async def test_two_processes_share_one_count(databases) -> None:
    """Invariant: the limit holds for the service, not per process: replicas draw on one counter."""
    clock = Clock(2_000_000.0)
    one = RateLimiter(databases[0], tables.rate_limit, clock=clock)
    two = RateLimiter(databases[1], tables.rate_limit, clock=clock)
    limit = Limit("objections", 4, 60.0)
    for limiter in (one, two, one, two):
        await limiter.hit(limit, "203.0.113.9")
    for limiter in (one, two):
        with pytest.raises(DomainError):
            await limiter.hit(limit, "203.0.113.9")


async def test_concurrent_hits_from_two_processes_admit_exactly_the_limit(databases) -> None:
    """Invariant: racing hits are each counted once; no lost update lets an extra one through."""
    clock = Clock(3_000_000.0)
    limiters = [RateLimiter(db, tables.rate_limit, clock=clock) for db in databases]
    limit = Limit("burst", 10, 60.0)
    results = await asyncio.gather(*(limiters[i % 2].try_hit(limit, "198.51.100.7") for i in range(30)))
    assert sum(d.allowed for d in results) == 10
    async with databases[0].read_session() as session:
        stored = (await session.execute(select(tables.rate_limit.c.hits))).scalars().all()
    assert stored == [10]  # refused hits were not counted


async def test_sliding_window_lets_the_previous_window_fade(databases) -> None:
    clock = Clock(4_000_000.0)  # the very start of a 100 s window
    limiter = RateLimiter(databases[0], tables.rate_limit, clock=clock)
    limit = Limit("sliding", 10, 100.0)
    for _ in range(10):
        await limiter.hit(limit, "k")
    clock.now += 150  # half-way into the next window: the previous window still weighs 10 × 0.5
    for _ in range(5):
        await limiter.hit(limit, "k")
    refused = await limiter.try_hit(limit, "k")
    assert not refused.allowed and refused.retry_after_s == 10  # 5 × (1 - e/100) + 5 <= 9 from e = 60


def test_retry_after_when_the_current_window_alone_is_full() -> None:
    decision = decide(Limit("x", 5, 60.0), current_hits=6, previous_hits=0, elapsed_s=30.0)
    # The next window starts in 30 s; there this window's 5 hits weigh 5 × (1 - e/60) and one more fits
    # once that is <= 4, 12 s in.
    assert not decision.allowed and decision.retry_after_s == 42


async def test_expired_counters_are_purged(databases) -> None:
    clock = Clock(5_000_000.0)
    limiter = RateLimiter(databases[0], tables.rate_limit, clock=clock)
    await limiter.hit(Limit("old", 1, 10.0), "a")
    await limiter.hit(Limit("older", 1, 10.0), "b")
    clock.now += 30  # two windows later: nothing can read those counters again
    assert await limiter.purge() == 2
    async with databases[0].read_session() as session:
        assert (await session.execute(select(func.count()).select_from(tables.rate_limit))).scalar_one() == 0


def test_long_keys_are_hashed_into_the_bucket_name() -> None:
    bucket = bucket_for(Limit("tokens", 1, 1.0), "x" * 500)
    assert bucket.startswith("tokens:sha256:") and len(bucket) < 100


async def test_the_edge_answers_429_problem_json_with_retry_after(sqlite_url) -> None:
    router = APIRouter()
    limit = Limit("edge", 1, 3600.0, sliding=False)

    @router.post("/limited")
    async def limited(request: Request) -> dict:
        """One per hour per address."""
        await hit(request, limit)
        return {"ok": True}

    app = build_app(spec, Settings(database_url=sqlite_url, dev_mode=True, log_json=False), title="probe", routers=[router])
    async with app_client(app) as client:
        assert (await client.post("/limited")).status_code == 200
        refused = await client.post("/limited")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600


async def _stored(db: Database) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(func.coalesce(func.sum(tables.rate_limit.c.hits), 0)))).scalar_one()


async def test_batched_limiter_admits_exactly_the_limit_in_one_process_and_writes_in_batches(databases) -> None:
    clock = Clock(6_000_010.0)
    limiter = BatchedLimiter(databases[0], tables.rate_limit, clock=clock)
    limit = Limit("requests-system", 500, 60.0)  # writes every 5 hits (1/100 of the limit)
    for _ in range(7):
        await limiter.hit(limit, "bank-a/core")
    assert await _stored(databases[0]) == 5  # the first five in one write; two still in memory
    for _ in range(493):
        await limiter.hit(limit, "bank-a/core")
    with pytest.raises(DomainError) as refused:
        await limiter.hit(limit, "bank-a/core")
    assert refused.value.code == "RATE_LIMITED"
    await limiter.sync()
    assert await _stored(databases[0]) == 500  # every admitted hit written once, the refused one not at all


async def test_batched_limiter_writes_at_least_every_second(databases) -> None:
    clock = Clock(7_000_010.0)
    limiter = BatchedLimiter(databases[0], tables.rate_limit, clock=clock)
    limit = Limit("requests-officer", 10_000, 60.0)
    await limiter.hit(limit, "k")
    await limiter.hit(limit, "k")
    assert await _stored(databases[0]) == 0  # far from the limit and within the second: still in memory
    clock.now += 1.0
    await limiter.hit(limit, "k")
    assert await _stored(databases[0]) == 3


async def test_batched_limiters_of_two_processes_share_the_budget_within_the_stated_tolerance(databases) -> None:
    """Invariant: replicas draw on one budget; together they admit at most the limit plus 2 % per extra one."""
    clock = Clock(8_000_010.0)
    limiters = [BatchedLimiter(db, tables.rate_limit, clock=clock) for db in databases]
    limit = Limit("requests-system", 1000, 60.0)
    admitted = 0
    for i in range(1500):
        try:
            await limiters[i % 2].hit(limit, "bank-b/core")
            admitted += 1
        except DomainError:
            pass
    for limiter in limiters:
        await limiter.sync()
    assert 1000 <= admitted <= 1020
    assert await _stored(databases[0]) == admitted
    # A third process starting now reads the shared count at its first hit and refuses at once.
    with pytest.raises(DomainError):
        await BatchedLimiter(databases[0], tables.rate_limit, clock=clock).hit(limit, "bank-b/core")


async def test_batched_limiter_counts_a_small_limit_exactly_across_processes(databases) -> None:
    """Under 100 hits one hit is more than the tolerance: two processes then admit exactly the limit."""
    clock = Clock(9_000_010.0)
    limiters = [BatchedLimiter(db, tables.rate_limit, clock=clock) for db in databases]
    limit = Limit("requests-public", 3, 60.0)
    answers = []
    for limiter in (limiters[0], limiters[1], limiters[0], limiters[1]):
        try:
            await limiter.hit(limit, "198.51.100.1")
            answers.append(True)
        except DomainError:
            answers.append(False)
    assert answers == [True, True, True, False]


async def test_batched_limiter_takes_concurrent_first_hits_of_many_callers(databases) -> None:
    """Requests of several callers arriving together at the start of a window are each counted once."""
    limiter = BatchedLimiter(databases[0], tables.rate_limit, clock=Clock(10_000_010.0))
    limit = Limit("requests-system", 1000, 60.0)
    await asyncio.gather(*(limiter.hit(limit, f"org-{i % 7}/client") for i in range(140)))
    await limiter.sync()
    assert await _stored(databases[0]) == 140
