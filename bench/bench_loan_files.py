"""Bulk loan files benchmark: a bank's core system sends 100,000 loans in one NDJSON file, then the same file again.

The claims service runs on SQLite (the embedded default) with its own worker, in this process; 5,000 listed,
rated enterprises are seeded, so every line does the whole eligibility walk of POST /v1/loans (20 loans per
enterprise: the first of each is its first loan, the others are registered as not covered). Figures:
- loan_files.register_rps: lines per second from the job's start to its end (parse, check, register,
  LoanRegistered in the outbox, one result per line);
- loan_files.end_to_end_rps: the same from the first byte of the upload to the job's end;
- loan_files.register_per_cpu_s: loans per second of this process's CPU over the same span (all its threads,
  the upload and the polling included): the rate one free core gives, whatever else the machine runs;
- loan_files.unchanged_rps: the same file again (every line found registered with the same declaration).
Prints `name: value unit` lines. Run: .venv/bin/python bench/bench_loan_files.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.testing import TEST_SECRET, app_client, auth
from xinyidai_shared.uscc import make_uscc

from claims.adapters import banks_repo, standing_repo
from claims.app import MIGRATIONS, create_app
from claims.config import Settings
from claims.domain.bank import Bank

ENTERPRISES = 5000
LOANS = 100_000
BANK = "bank-bench"


async def seed(db_url: str, usccs: list[str]) -> None:
    """Migrate, admit the bank, and list and rate every enterprise before the issue date."""
    db = Database(db_url)
    await upgrade_to_head(db, MIGRATIONS)
    async with db.write_session() as session:
        await banks_repo.add(session, Bank(BANK, "Bench Bank", date(2026, 1, 1), "AG-bench"), datetime.now(UTC))
        for i, code in enumerate(usccs):
            await standing_repo.add_listing(session, uscc=code, on=date(2026, 1, 5), listed=True, sme_size="small",
                                            event_id=f"l-{i}")
            await standing_repo.add_rating(session, uscc=code, valid_on=date(2026, 1, 2), grade="A", has_report=True,
                                           valid_from=datetime(2026, 1, 2, tzinfo=UTC), event_id=f"r-{i}")
        await session.commit()
    await db.dispose()


def loan_file(usccs: list[str]) -> bytes:
    """100,000 loans as a core system writes them, one JSON object a line."""
    lines = []
    for i in range(LOANS):
        lines.append(orjson.dumps({
            "bank_loan_no": f"BENCH-{i:07d}", "uscc": usccs[i % len(usccs)], "principal": f"{500000 + i}.00",
            "annual_rate": "3.85", "issued_on": "2026-03-02", "matures_on": "2027-03-02",
            "purpose": "流动资金周转", "purpose_category": "working_capital", "loan_type": "pure_credit",
            "through_platform": True, "first_loan": i < len(usccs),
        }))
    return b"\n".join(lines) + b"\n"


async def run_file(client, data: bytes) -> tuple[float, float, float, dict]:  # noqa: ANN001 - an httpx client
    """Upload, wait for the job, and return (job seconds, upload-to-end seconds, CPU seconds, the job)."""
    headers = {**auth("bank", BANK), "content-type": "application/x-ndjson"}
    started, cpu = time.perf_counter(), time.process_time()
    response = await client.post("/v1/loan-files", params={"format": "ndjson"}, content=data, headers=headers)
    if response.status_code != 202:
        raise SystemExit(f"upload refused: {response.status_code} {response.text}")
    job_id = response.json()["job_id"]
    while True:
        job = (await client.get(f"/v1/loan-files/{job_id}", headers=headers)).json()
        if job["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.5)  # a core system polls now and then; the poll itself costs the service CPU
    ended, cpu = time.perf_counter(), time.process_time() - cpu
    if job["status"] != "done" or job["lines_done"] != LOANS:
        raise SystemExit(f"the job did not finish well: {job}")
    job_s = (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["started_at"])).total_seconds()
    return job_s, ended - started, cpu, job


async def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-loan-files-"))
    db_url = f"sqlite+aiosqlite:///{work / 'claims.db'}"
    usccs = [make_uscc(f"BF{i:07d}") for i in range(ENTERPRISES)]
    await seed(db_url, usccs)
    data = loan_file(usccs)
    settings = Settings(database_url=db_url, auth_secret=TEST_SECRET, log_json=False, log_level="WARNING",
                        dev_mode=True, loan_file_poll_interval_s=0.02,
                        rate_limits_per_minute={"bank": 100_000_000, "system": 100_000_000})
    app = create_app(settings)
    async with app_client(app) as client:
        job_s, total_s, cpu_s, job = await run_file(client, data)
        if job["registered"] != LOANS:
            raise SystemExit(f"expected every line registered: {job}")
        again_s, _, _, again = await run_file(client, data)
        if again["unchanged"] != LOANS:
            raise SystemExit(f"expected every line unchanged the second time: {again}")
    print(f"loan_files.register_rps: {LOANS / job_s:.0f} loans/s")
    print(f"loan_files.end_to_end_rps: {LOANS / total_s:.0f} loans/s")
    print(f"loan_files.register_per_cpu_s: {LOANS / cpu_s:.0f} loans/s")
    print(f"loan_files.unchanged_rps: {LOANS / again_s:.0f} loans/s")
    print(f"loan_files.file_mb: {len(data) / 1e6:.1f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
