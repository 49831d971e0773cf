"""Benchmark: posted compensations per second for one hot bank, on SQLite and PostgreSQL, and the ratio
to raw single-row insert transactions on the same SQLite database in the same run.

Each compensation is the real path the service's consumer takes: inbox dedupe, cash and bank locks, cap
check, transfer, compensation row, CompensationPaid to the outbox, commit. `compensations_per_s` is the
consumer's group-commit path (a poll's run of approvals, here 100 per transaction); the per-event path
(one transaction per approval, as for a lone event) is printed beside it. Prints `name: value unit` lines.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from xinyidai_shared.consumer import apply_group, apply_once
from xinyidai_shared.db import Database
from xinyidai_shared.events import ClaimApproved, envelope_for
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.uow import UnitOfWork

from fund_ledger.adapters.tables import messaging
from fund_ledger.app import MIGRATIONS
from fund_ledger.entrypoints.consumers import group_handlers_for
from fund_ledger.domain.policy import profile_named
from fund_ledger.service_layer.handlers import event_handlers
from fund_ledger.service_layer.confirmations import confirm
from fund_ledger.service_layer.money_in import Officer, declare_initial_capital
from fund_ledger.service_layer.rules import LedgerRules

RULES = LedgerRules(profile=profile_named("measures"), threshold_fen=0)
COUNT = 2000
WORKERS = 8
GROUP = 100


def _envelopes(count: int) -> list:
    now = datetime.now(UTC)
    return [
        envelope_for(ClaimApproved(
            claim_id=f"b-{uuid.uuid4().hex[:12]}", loan_id=f"l-{i}", bank_id="bank-hot", uscc="91211382MA0Y8G8L7T",
            principal_at_loss_fen=10_000, ratio_bp=3000, per_loan_cap_fen=50_000_000, bank_cap_fen=10**15,
            covered_principal_fen=10_000, policy_profile="measures", approved_at=now,
        ))
        for i in range(count)
    ]


async def compensations_per_s(url: str, *, group: int) -> float:
    """Throughput for one hot bank; ``group`` approvals per transaction (1: one transaction each)."""
    db = Database(url, pool_size=WORKERS)
    await upgrade_to_head(db, MIGRATIONS)
    factory = lambda: UnitOfWork(db, messaging, "fund-ledger")  # noqa: E731
    async with factory() as uow:
        # Declared by one officer of the finance bureau and confirmed by another, as the API requires.
        declared, _ = await declare_initial_capital(uow, reference="cap", amount_fen=10**14, by=Officer("czj", "czj/wang"))
        await confirm(uow, transfer_id=declared.id, by="czj/li", rules=RULES)
        await uow.commit()
    handler = event_handlers(RULES)["ClaimApproved"]
    groups = group_handlers_for(RULES)
    queue = asyncio.Queue()
    envelopes = _envelopes(COUNT)
    for i in range(0, COUNT, group):
        queue.put_nowait(envelopes[i:i + group])

    async def worker() -> None:
        while not queue.empty():
            chunk = queue.get_nowait()
            if group == 1:
                await apply_once(factory, handler, chunk[0], chunk[0].decode())
            else:
                await apply_group(factory, [(handler, e, e.decode()) for e in chunk], groups)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    elapsed = time.perf_counter() - started
    await db.dispose()
    return COUNT / elapsed


async def raw_inserts_per_s(url: str) -> float:
    """Single-row INSERT transactions through the same engine setup (BEGIN IMMEDIATE on SQLite)."""
    db = Database(url, pool_size=WORKERS)
    meta = MetaData()
    table = Table("bench_raw", meta, Column("id", Integer, primary_key=True), Column("v", String(40)))
    await db.create_all(meta)
    pending = asyncio.Queue()
    for i in range(COUNT):
        pending.put_nowait(i)

    async def worker() -> None:
        while not pending.empty():
            i = pending.get_nowait()
            async with db.write_session() as session:
                await session.execute(insert(table).values(id=i, v="x"))
                await session.commit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    elapsed = time.perf_counter() - started
    await db.dispose()
    return COUNT / elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_rate = asyncio.run(compensations_per_s(f"sqlite+aiosqlite:///{Path(tmp) / 'ledger.db'}", group=GROUP))
        single_rate = asyncio.run(compensations_per_s(f"sqlite+aiosqlite:///{Path(tmp) / 'single.db'}", group=1))
        raw_rate = asyncio.run(raw_inserts_per_s(f"sqlite+aiosqlite:///{Path(tmp) / 'raw.db'}"))
    print(f"ledger.sqlite.compensations_per_s: {sqlite_rate:.0f} compensations/s")
    print(f"ledger.sqlite.single_event_compensations_per_s: {single_rate:.0f} compensations/s")
    print(f"ledger.sqlite.raw_insert_tx_per_s: {raw_rate:.0f} transactions/s")
    print(f"ledger.sqlite.ratio_to_raw: {sqlite_rate / raw_rate:.3f} ratio")
    try:
        from xinyidai_shared.testing import PostgresServer

        server = PostgresServer()
    except Exception as exc:  # noqa: BLE001 - a machine without PostgreSQL still gets the SQLite figures
        print(f"ledger.postgres.compensations_per_s: skipped ({type(exc).__name__})", file=sys.stderr)
        return 0
    try:
        pg_rate = asyncio.run(compensations_per_s(server.create_database(), group=GROUP))
        pg_single = asyncio.run(compensations_per_s(server.create_database(), group=1))
        print(f"ledger.postgres.compensations_per_s: {pg_rate:.0f} compensations/s")
        print(f"ledger.postgres.single_event_compensations_per_s: {pg_single:.0f} compensations/s")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
