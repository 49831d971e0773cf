"""Rate limits whose counters live in the service's own database, so every process and replica shares them.

A ``Limit`` names what is limited (``"objections"``), how many hits a key may make and in what window.
``RateLimiter.hit(limit, key)`` counts one hit for ``key`` (a remote address, an organisation, a token's
subject: anything) or refuses it with 429 ``RATE_LIMITED`` and ``retry_after_s`` (the edge turns that
into a ``Retry-After`` header). Refused hits are not counted, so a client that waits gets in again.

Counting is a fixed window per key (``hits`` in the current ``window_s`` slot) or, by default, a sliding
window estimated from two fixed ones: the previous window's hits weighted by how much of it still lies
inside the last ``window_s`` seconds, plus the current window's hits. Each hit is one short write
transaction: an upsert that increments the counter row and returns it; SQLite serialises writers
(``BEGIN IMMEDIATE``), PostgreSQL row-locks the counter, so concurrent hits from any number of processes
are counted exactly once each.

``BatchedLimiter`` keeps the same counters for budgets that every request draws on: it counts in memory
and writes each process's hits in batches, within a stated tolerance across processes (see the class).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from .db import Database
from .errors import DomainError, ErrorKind

MAX_BUCKET_CHARS = 200
PURGE_EVERY_S = 60.0


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` per ``window_s`` seconds for each key of the limit called ``name``."""

    name: str
    max_hits: int
    window_s: float
    sliding: bool = True

    def __post_init__(self) -> None:
        if self.max_hits < 1 or self.window_s <= 0:
            raise ValueError("a limit needs max_hits >= 1 and a positive window")


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit: allowed, or refused with the seconds to wait."""

    allowed: bool
    estimate: float
    retry_after_s: int = 0


def decide(limit: Limit, *, current_hits: int, previous_hits: int, elapsed_s: float) -> Decision:
    """Whether the hit that made ``current_hits`` fits (pure arithmetic; ``elapsed_s`` into the current window)."""
    weight = max(0.0, 1.0 - elapsed_s / limit.window_s) if limit.sliding else 0.0
    estimate = previous_hits * weight + current_hits
    if estimate <= limit.max_hits:
        return Decision(True, estimate)
    return Decision(False, estimate, _retry_after(limit, current_hits - 1, previous_hits, elapsed_s))


def _retry_after(limit: Limit, current: int, previous: int, elapsed_s: float) -> int:
    """Seconds until one more hit fits, given the hits counted before this refused one."""
    window, room = limit.window_s, limit.max_hits - 1
    if not limit.sliding or current > room:
        # Not before the next window; there (sliding) this window's hits fade as the previous ones.
        wait = window - elapsed_s
        if limit.sliding and current > room:
            wait += window * (1.0 - room / current)
        return max(1, math.ceil(wait))
    # The previous window's share fades linearly: wait until previous × (1 - e/window) + current <= room.
    fade_until = window * (1.0 - (room - current) / previous)
    return max(1, math.ceil(fade_until - elapsed_s))


def refusal(limit: Limit, decision: Decision) -> DomainError:
    """The 429 ``RATE_LIMITED`` problem for a refused hit, with the seconds to wait."""
    return DomainError(
        "RATE_LIMITED", f"too many requests for {limit.name}; retry in {decision.retry_after_s}s",
        kind=ErrorKind.RATE_LIMITED, retry_after_s=decision.retry_after_s,
    )


def bucket_for(limit: Limit, key: str) -> str:
    """The counter's row name: the limit and the key, the key hashed when it would not fit."""
    bucket = f"{limit.name}:{key}"
    if len(bucket) <= MAX_BUCKET_CHARS:
        return bucket
    return f"{limit.name}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


class RateLimiter:
    """Counts hits in the ``rate_limit`` table of one service database (see ``tables.add_messaging_tables``)."""

    def __init__(self, db: Database, table: Table, *, clock: Callable[[], float] = time.time) -> None:
        self.db, self.table, self.clock = db, table, clock
        self._purged_at = 0.0

    async def hit(self, limit: Limit, key: str) -> None:
        """Count one hit of ``key`` against ``limit``; raise ``RATE_LIMITED`` (429) when it does not fit."""
        decision = await self.try_hit(limit, key)
        if not decision.allowed:
            raise refusal(limit, decision)

    async def try_hit(self, limit: Limit, key: str) -> Decision:
        """Like ``hit`` but returns the decision instead of raising (a refused hit is not counted)."""
        now = self.clock()
        window = int(now // limit.window_s)
        elapsed = now - window * limit.window_s
        bucket = bucket_for(limit, key)
        expires_at = datetime.fromtimestamp((window + 2) * limit.window_s, UTC)
        async with self.db.writing() as session:
            current = await self._increment(session, bucket, window, expires_at)
            previous = 0
            if limit.sliding:
                previous = (await session.execute(
                    select(self.table.c.hits).where(self.table.c.bucket == bucket, self.table.c.window_no == window - 1)
                )).scalar_one_or_none() or 0
            decision = decide(limit, current_hits=current, previous_hits=previous, elapsed_s=elapsed)
            if not decision.allowed:
                await session.rollback()  # a refused hit leaves the counter as it was
                return decision
            if now - self._purged_at >= PURGE_EVERY_S:
                self._purged_at = now
                await session.execute(delete(self.table).where(self.table.c.expires_at < datetime.fromtimestamp(now, UTC)))
            await session.commit()
        return decision

    async def _increment(self, session: AsyncSession, bucket: str, window: int, expires_at: datetime) -> int:
        if session.bind.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(self.table).values(bucket=bucket, window_no=window, hits=1, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=["bucket", "window_no"], set_={"hits": self.table.c.hits + 1}
        ).returning(self.table.c.hits)
        return int((await session.execute(stmt)).scalar_one())

    async def purge(self) -> int:
        """Delete counters whose windows can no longer matter; returns how many rows went."""
        async with self.db.writing() as session:
            result = await session.execute(
                delete(self.table).where(self.table.c.expires_at < datetime.fromtimestamp(self.clock(), UTC))
            )
            await session.commit()
        return result.rowcount or 0


SYNC_EVERY_S = 1.0
SYNC_SHARE = 100  # a process writes its hits of a bucket once they reach 1/100 of the limit (or a second passed)


class BatchedLimiter:
    """The same counters as ``RateLimiter``, counted in memory per process and written in batches.

    For budgets that every request draws on (the perimeter's requests per minute), where one write
    transaction per request would cost more than the request. Each process admits a hit against the
    shared count it last read plus its own hits not yet written; it writes them (one transaction for all
    its buckets) and reads the others' back when a bucket's unwritten hits reach 1/100 of its limit, when
    a second has passed, and before the first hit of a bucket in a window. Tolerance: each other process
    can have admitted fewer than 1/100 of the limit unwritten, and this one can admit fewer than 1/100
    before it reads their writes, so N processes together admit at most the limit plus about 2 × (N − 1) %
    of it (one process: the limit exactly). A limit under 100, where one hit is more than 1 %, is counted
    exactly, one write transaction per hit (``RateLimiter``). Refused hits are not counted.
    """

    def __init__(self, db: Database, table: Table, *, clock: Callable[[], float] = time.time) -> None:
        self.db, self.table, self.clock = db, table, clock
        self._known: dict[tuple[str, int], int] = {}  # (bucket, window) -> hits in the database at the last read
        self._unwritten: Counter[tuple[str, int]] = Counter()  # admitted here, not yet written
        self._in_flight: Counter[tuple[str, int]] = Counter()  # being written by the running sync
        self._expiry: dict[tuple[str, int], datetime] = {}
        self._synced_at = float("-inf")
        self._purged_at = 0.0
        self._lock = asyncio.Lock()
        self._exact = RateLimiter(db, table, clock=clock)

    def _count(self, key: tuple[str, int]) -> int:
        return self._known.get(key, 0) + self._in_flight[key] + self._unwritten[key]

    async def hit(self, limit: Limit, key: str) -> None:
        """Count one hit of ``key`` against ``limit``; raise ``RATE_LIMITED`` (429) when it does not fit."""
        if limit.max_hits < SYNC_SHARE:
            await self._exact.hit(limit, key)
            return
        now = self.clock()
        window = int(now // limit.window_s)
        bucket = bucket_for(limit, key)
        current = (bucket, window)
        if current not in self._known:  # the first hit here in this window: start from the shared count
            await self.sync(also={current: datetime.fromtimestamp((window + 2) * limit.window_s, UTC),
                                  (bucket, window - 1): datetime.fromtimestamp((window + 1) * limit.window_s, UTC)})
        previous = self._count((bucket, window - 1)) if limit.sliding else 0
        decision = decide(limit, current_hits=self._count(current) + 1, previous_hits=previous,
                          elapsed_s=now - window * limit.window_s)
        if not decision.allowed:
            raise refusal(limit, decision)
        if current not in self._expiry:  # dropped by a clean-up meanwhile: the write below still needs it
            self._expiry[current] = datetime.fromtimestamp((window + 2) * limit.window_s, UTC)
        self._unwritten[current] += 1
        if self._unwritten[current] >= max(1, limit.max_hits // SYNC_SHARE) or now - self._synced_at >= SYNC_EVERY_S:
            await self.sync()

    async def sync(self, also: dict[tuple[str, int], datetime] | None = None) -> None:
        """Write this process's unwritten hits and read every process's counts of the buckets in use
        (and of ``also``: windows about to be used, with when their counters expire)."""
        async with self._lock:
            now = self.clock()
            self._expiry.update(also or {})  # under the lock: a concurrent sync's clean-up cannot drop them
            self._in_flight, self._unwritten = self._unwritten, Counter()
            wanted = [k for k, expires in self._expiry.items() if expires.timestamp() > now]
            try:
                async with self.db.writing() as session:
                    for (bucket, window), hits in self._in_flight.items():
                        await _add(session, self.table, bucket, window, hits, self._expiry[(bucket, window)])
                    known = dict.fromkeys(wanted, 0)
                    columns = self.table.c
                    for start in range(0, len(wanted), 200):
                        query = select(columns.bucket, columns.window_no, columns.hits).where(
                            tuple_(columns.bucket, columns.window_no).in_(wanted[start : start + 200]))
                        known.update(((b, w), h) for b, w, h in await session.execute(query))
                    if now - self._purged_at >= PURGE_EVERY_S:
                        self._purged_at = now
                        await session.execute(delete(self.table).where(columns.expires_at < datetime.fromtimestamp(now, UTC)))
                    await session.commit()
            except BaseException:
                self._unwritten.update(self._in_flight)  # not written: written with the next sync
                self._in_flight = Counter()
                raise
            # No await from here on: the counts read and the hits now in them change together.
            self._known, self._in_flight, self._synced_at = known, Counter(), now
            self._expiry = {k: v for k, v in self._expiry.items() if k in known or k in self._unwritten}


async def _add(session: AsyncSession, table: Table, bucket: str, window: int, hits: int, expires_at: datetime) -> None:
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(bucket=bucket, window_no=window, hits=hits, expires_at=expires_at)
    await session.execute(stmt.on_conflict_do_update(index_elements=["bucket", "window_no"],
                                                     set_={"hits": table.c.hits + hits}))


def client_address(request: Request) -> str:
    """The caller's network address as the server saw it (the key for public, unauthenticated limits)."""
    return request.client.host if request.client else "unknown"


async def hit(request: Request, limit: Limit, key: str | None = None) -> None:
    """Count a hit against the service's shared limiter; ``key`` defaults to the caller's address."""
    await request.app.state.runtime.limiter.hit(limit, client_address(request) if key is None else key)
