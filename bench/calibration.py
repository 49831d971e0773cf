"""Calibration: what this machine does with no application code in the way, measured in the same run.

Absolute figures differ two to three times between machines of the same class (and between a quiet and a
loaded hour of one machine), so every benchmark figure is also printed as a ratio to the raw counterpart
measured here (bench/README.md lists the pairs). Prints `name: value unit` lines:

- calibration.sqlite.one_row_tx_per_s: single-row INSERT transactions through the shared ``Database``
  (aiosqlite, WAL, BEGIN IMMEDIATE, the writer gate), 8 concurrent writers;
- calibration.sqlite.executemany_rows_per_s: NDJSON lines parsed (orjson) and inserted with plain sqlite3
  ``executemany``, 2,000 rows per transaction;
- calibration.fastapi.bare_rps: a bare FastAPI JSON endpoint on one uvicorn worker under wrk;
- calibration.scorecard.in_memory_per_s: profiles built and scored from records already in memory;
- calibration.broker.round_trip_p50_ms / _p99_ms: one message produced (acks=all) and consumed back on the
  local Tansu broker, one at a time.
Run: .venv/bin/python bench/calibration.py
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "services" / "credit-data")]

from sqlalchemy import Column, Integer, MetaData, String, Table, insert  # noqa: E402

from xinyidai_shared.db import Database  # noqa: E402

WRITERS = 8
ONE_ROW_TX = 2000
EXECUTEMANY_ROWS = 200_000
SCORECARD_ENTERPRISES = 20_000
ROUND_TRIPS = 300


async def one_row_tx_per_s(url: str, count: int = ONE_ROW_TX) -> float:
    """Single-row INSERT transactions through the shared engine setup, ``WRITERS`` at a time."""
    db = Database(url, pool_size=WRITERS)
    table = Table("calibration", MetaData(), Column("id", Integer, primary_key=True), Column("v", String(40)))
    await db.create_all(table.metadata)
    pending = list(range(count))

    async def writer() -> None:
        while pending:
            i = pending.pop()
            async with db.writing() as session:
                await session.execute(insert(table).values(id=i, v="x"))
                await session.commit()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    elapsed = time.perf_counter() - started
    await db.dispose()
    return count / elapsed


RAW_COLUMNS = ("source_record_id", "uscc", "source", "period", "account_no", "consumption", "unit", "amount_due",
               "amount_paid", "due_on", "paid_on")  # fmt: skip


def write_ndjson(path: Path, count: int) -> None:
    """``count`` water-bill lines shaped like a provider's feed."""
    with open(path, "wb") as out:
        for n in range(count):
            out.write(orjson.dumps({
                "source_record_id": f"R{n}", "uscc": f"91211382MA{n:08d}", "source": "water", "period": "2026-10",
                "account_no": f"W{n}", "consumption": "120.5", "unit": "m3", "amount_due": "361.50",
                "amount_paid": "361.50", "due_on": "2026-10-25", "paid_on": "2026-10-20",
            }) + b"\n")  # fmt: skip


def executemany_rows_per_s(path: Path, db_file: Path) -> float:
    """Lines parsed and stored with plain sqlite3 ``executemany``, 2,000 rows per transaction."""
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE raw (id INTEGER PRIMARY KEY, {', '.join(RAW_COLUMNS)}, UNIQUE(source_record_id))")
    sql = f"INSERT INTO raw ({', '.join(RAW_COLUMNS)}) VALUES ({', '.join('?' * len(RAW_COLUMNS))})"
    started, count, batch = time.perf_counter(), 0, []
    with open(path, "rb") as stream:
        for line in stream:
            row = orjson.loads(line)
            batch.append(tuple(row[c] for c in RAW_COLUMNS))
            if len(batch) == 2000:
                conn.execute("BEGIN")
                conn.executemany(sql, batch)
                conn.execute("COMMIT")
                count, batch = count + len(batch), []
    if batch:
        conn.executemany(sql, batch)
        count += len(batch)
    conn.close()
    return count / (time.perf_counter() - started)


def bare_fastapi_rps(work: Path) -> float:
    """wrk against a bare FastAPI JSON endpoint on one uvicorn worker (the same tools as the API benchmark)."""
    import os

    from bench_api_register_loan import BARE_APP, serve, stop, wrk
    from xinyidai_shared.testing import free_port

    (work / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    server = serve(["bare_app:app", "--app-dir", str(work)], port, dict(os.environ), work)
    try:
        wrk(f"http://127.0.0.1:{port}/bare", 2)  # warm-up
        return wrk(f"http://127.0.0.1:{port}/bare", 10)["rps"]
    finally:
        stop(server)


def scorecard_per_s(count: int = SCORECARD_ENTERPRISES) -> float:
    """Profiles built and rated from in-memory records: six months of water and tax each (as the re-rate bench)."""
    from bench_rerate_scorecard import _rows
    from credit_data.domain.periods import index_of
    from credit_data.domain.profiles import build_profile
    from credit_data.domain.records import FeedRecord
    from credit_data.domain.scorecard import rate
    from xinyidai_shared.clock import today_shanghai, utcnow

    now_index, received_at = index_of(today_shanghai()), utcnow()
    width = len(FeedRecord._fields)
    enterprises = []
    for n in range(count):
        rows = _rows(n, now_index, received_at)
        enterprises.append((rows[0][2], [FeedRecord(*row[:width]) for row in rows]))
    started = time.perf_counter()
    for uscc, records in enterprises:
        rating = rate(build_profile(uscc, records, as_of_period=now_index))
        assert rating.has_report
    return count / (time.perf_counter() - started)


async def broker_round_trips(bootstrap: str, count: int = ROUND_TRIPS) -> list[float]:
    """Milliseconds from send (acks=all) to the consumer holding the message, one message at a time."""
    from aiokafka import AIOKafkaConsumer

    from xinyidai_shared.relay import ensure_topics, make_producer

    topic = f"calibration-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic], 1)
    producer = make_producer(bootstrap)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="earliest",
                                enable_auto_commit=False, fetch_max_wait_ms=5)
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic, b"warm-up")
        await consumer.getone()
        times = []
        for n in range(count):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(n).encode())
            message = await consumer.getone()
            times.append((time.perf_counter() - started) * 1000)
            assert message.value == str(n).encode()
        return times
    finally:
        await consumer.stop()
        await producer.stop()


def main() -> None:
    from xinyidai_shared.testing import Broker

    with tempfile.TemporaryDirectory(prefix="xyd-calibration-") as tmp:
        work = Path(tmp)
        one_row = asyncio.run(one_row_tx_per_s(f"sqlite+aiosqlite:///{work / 'one-row.db'}"))
        print(f"calibration.sqlite.one_row_tx_per_s: {one_row:.0f} transactions/s", flush=True)
        write_ndjson(work / "raw.ndjson", EXECUTEMANY_ROWS)
        rows = executemany_rows_per_s(work / "raw.ndjson", work / "raw.db")
        print(f"calibration.sqlite.executemany_rows_per_s: {rows:.0f} rows/s", flush=True)
        print(f"calibration.fastapi.bare_rps: {bare_fastapi_rps(work):.0f} req/s", flush=True)
        print(f"calibration.scorecard.in_memory_per_s: {scorecard_per_s():.0f} enterprises/s", flush=True)
        broker = Broker()
        try:
            trips = sorted(asyncio.run(broker_round_trips(broker.bootstrap)))
        finally:
            broker.stop()
        print(f"calibration.broker.round_trip_p50_ms: {statistics.median(trips):.2f} ms")
        print(f"calibration.broker.round_trip_p99_ms: {trips[int(len(trips) * 0.99) - 1]:.2f} ms")


if __name__ == "__main__":
    main()
