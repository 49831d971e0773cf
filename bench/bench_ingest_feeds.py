"""Bulk NDJSON ingest (validated, idempotent) into SQLite and PostgreSQL, against a raw sqlite3 baseline.

Prints: ingest.sqlite.records_per_s, ingest.sqlite.ratio_to_raw, ingest.peak_rss_mb (peak resident memory of
this process, file generation included, or of this process plus its feed-reader helper while ingesting),
ingest.postgres.records_per_s.
Sizes: CD_BENCH_RECORDS (default 1,000,000) for SQLite, CD_BENCH_PG_RECORDS (default 200,000) for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "shared"), str(ROOT / "services" / "credit-data")]

from sqlalchemy import insert  # noqa: E402

from xinyidai_shared.clock import today_shanghai, utcnow  # noqa: E402
from xinyidai_shared.runtime import Runtime  # noqa: E402
from xinyidai_shared.testing import TEST_SECRET, PostgresServer  # noqa: E402
from xinyidai_shared.uscc import make_uscc  # noqa: E402

from credit_data.adapters.tables import job  # noqa: E402
from credit_data.app import spec  # noqa: E402
from credit_data.config import Settings  # noqa: E402
from credit_data.domain.periods import first_day, format_period, index_of  # noqa: E402
from credit_data.service_layer.jobs import ingest_file  # noqa: E402

MONTHS = 10


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


class RssSampler(threading.Thread):
    """Samples resident memory of this process plus its children (the feed-reader helper) every 200 ms.

    A child's own ``ru_maxrss`` would include this process's memory from before its ``exec``, so the
    helper is measured from /proc instead.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._stop_event.wait(0.2):
            children = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == me]
            self.peak_kb = max(self.peak_kb, _rss_kb(me) + sum(_rss_kb(c) for c in children))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def write_file(path: Path, count: int) -> None:
    """``count`` water records: ``count / MONTHS`` enterprises, ``MONTHS`` months each, streamed to disk."""
    now_index = index_of(today_shanghai())
    periods = [(format_period(now_index - ago), first_day(now_index - ago)) for ago in range(1, MONTHS + 1)]
    with open(path, "wb") as out:
        for n in range(count // MONTHS):
            uscc = make_uscc(f"MA{n:07d}")
            for period, start in periods:
                out.write(orjson.dumps({
                    "source_record_id": f"{uscc}-{period}", "uscc": uscc, "source": "water", "period": period,
                    "account_no": f"W{n}", "consumption": "120.5", "unit": "m3", "amount_due": "361.50",
                    "amount_paid": "361.50", "due_on": start.replace(day=25).isoformat(),
                    "paid_on": start.replace(day=20).isoformat(),
                }) + b"\n")  # fmt: skip


def raw_baseline(path: Path, folder: Path) -> float:
    """Records/s of parsing the same lines and a plain ``executemany`` into an equivalent table."""
    conn = sqlite3.connect(folder / "raw.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    cols = ["source_record_id", "uscc", "source", "period", "account_no", "consumption", "unit", "amount_due",
            "amount_paid", "due_on", "paid_on"]  # fmt: skip
    conn.execute(f"CREATE TABLE raw (id INTEGER PRIMARY KEY, {', '.join(cols)}, UNIQUE(source_record_id))")
    sql = f"INSERT INTO raw ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    started, count, batch = time.perf_counter(), 0, []
    with open(path, "rb") as stream:
        for line in stream:
            row = orjson.loads(line)
            batch.append(tuple(row[c] for c in cols))
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


async def ingest(db_url: str, path: Path, count: int) -> float:
    """Records/s of the service's own job path (read, validate, store by natural key), rating excluded."""
    settings = Settings(database_url=db_url, auth_secret=TEST_SECRET, log_json=False, dev_mode=True)
    runtime = Runtime(spec, settings)
    from xinyidai_shared.migrations import upgrade_to_head

    await upgrade_to_head(runtime.db, runtime.spec.migrations)
    job_id = str(uuid.uuid4())
    values = {
        "id": job_id, "kind": "feed", "org_id": "water-ly", "sources": "water", "format": "ndjson", "encoding": "utf-8",
        "file_path": str(path), "size_bytes": path.stat().st_size, "status": "running", "lines_done": 0, "accepted": 0,
        "unchanged": 0, "superseded": 0, "rejected": 0, "rated": 0, "created_at": utcnow(),
    }  # fmt: skip
    async with runtime.uow() as uow:
        await uow.session.execute(insert(job).values(values))
        await uow.commit()
    async with runtime.db.read_session() as session:
        row = (await session.execute(job.select().where(job.c.id == job_id))).one()
    started = time.perf_counter()
    await ingest_file(runtime, row)
    elapsed = time.perf_counter() - started
    async with runtime.db.read_session() as session:
        done = (await session.execute(job.select().where(job.c.id == job_id))).one()
    await runtime.db.dispose()
    assert done.accepted == count, f"accepted {done.accepted} of {count}"
    return count / elapsed


def main() -> None:
    count = int(os.environ.get("CD_BENCH_RECORDS", "1000000"))
    pg_count = int(os.environ.get("CD_BENCH_PG_RECORDS", "200000"))
    with tempfile.TemporaryDirectory(prefix="cd-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "feed.ndjson"
        write_file(path, count)
        raw = raw_baseline(path, folder)
        sampler = RssSampler()
        sampler.start()
        ours = asyncio.run(ingest(f"sqlite+aiosqlite:///{folder / 'ingest.db'}", path, count))
        sampler.stop()
        peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sampler.peak_kb) / 1024
        print(f"ingest.sqlite.records_per_s: {ours:.0f} records/s")
        print(f"ingest.sqlite.ratio_to_raw: {ours / raw:.3f} ratio")
        print(f"ingest.peak_rss_mb: {peak_mb:.0f} MB")
        sys.stdout.flush()
        pg_path = folder / "feed-pg.ndjson"
        write_file(pg_path, pg_count)
        server = PostgresServer()
        try:
            pg_rate = asyncio.run(ingest(server.create_database(), pg_path, pg_count))
        finally:
            server.stop()
        print(f"ingest.postgres.records_per_s: {pg_rate:.0f} records/s")


if __name__ == "__main__":
    main()
