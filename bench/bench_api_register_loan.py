"""Claims API benchmark: loan registration and status reports over real HTTP against one uvicorn worker, with real load tools.

- maximum throughput: wrk (closed loop, 2 threads, 32 connections) on POST /loans with a unique loan
  number per request, on POST /loans/{id}/overdue (a new snapshot each time, so each call writes and
  publishes LoanOverdue), and on a bare FastAPI JSON endpoint served the same way in the same run;
- latency at 200 req/s: wrk again, paced (each of 10 connections pauses between requests, the pause
  tuned from a short first run so the achieved rate is ~200 req/s; the achieved rate is printed too);
- scale-out: register-loan throughput on PostgreSQL with 1 and with 2 uvicorn workers, and their ratio.
The service runs on SQLite (the embedded default) with 1,000 listed, rated enterprises seeded, so each
registration does the whole eligibility walk. Prints `name: value unit` lines.
Run: .venv/bin/python bench/bench_api_register_loan.py
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from xinyidai_shared.auth import issue_token
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.testing import free_port, wait_port
from xinyidai_shared.uscc import make_uscc

from claims.adapters import banks_repo, standing_repo
from claims.app import MIGRATIONS
from claims.domain.bank import Bank

SECRET = "bench-secret-that-is-long-enough-for-production-rules"
ENTERPRISES = 1000
WRK = shutil.which("wrk") or "/usr/bin/wrk"
PY = sys.executable

BARE_APP = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
async def bare() -> dict:
    """The baseline: a FastAPI JSON answer with no work behind it."""
    return {"status": "ok", "service": "bare"}
'''

REGISTER_LUA = '''
local usccs = {}
for line in io.lines("%(usccs)s") do usccs[#usccs + 1] = line end
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init(args) prefix = "W" .. tid .. "-" .. math.random(1, 1000000000) end
function delay() return %(delay_ms)s end
function request()
  counter = counter + 1
  local uscc = usccs[(counter %% #usccs) + 1]
  local body = string.format('{"bank_loan_no":"%%s-%%d","uscc":"%%s","principal":"500000.00","annual_rate":"3.85",' ..
    '"issued_on":"2026-03-02","matures_on":"2027-03-02","purpose":"working capital","purpose_category":"working_capital",' ..
    '"loan_type":"pure_credit","through_platform":true,"first_loan":true}', prefix, counter, uscc)
  return wrk.format("POST", "/v1/loans", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}, body)
end
'''

STATUS_LUA = '''
local loans = {}
for line in io.lines("%(loans)s") do loans[#loans + 1] = line end
local counter = 0
function init(args) counter = math.random(1, 1000000) end
function delay() return %(delay_ms)s end
function request()
  counter = counter + 1
  local loan = loans[(counter %% #loans) + 1]
  local body = string.format('{"days_past_due":%%d,"overdue_principal":"1000.00","as_of":"2027-06-30"}', (counter %% 300) + 1)
  return wrk.format("POST", "/v1/loans/" .. loan .. "/overdue",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}, body)
end
'''


async def seed(db_url: str, usccs: list[str]) -> None:
    """Migrate, admit the bank, and list and rate every enterprise before the issue date."""
    db = Database(db_url)
    await upgrade_to_head(db, MIGRATIONS)
    async with db.write_session() as session:
        await banks_repo.add(session, Bank("bank-bench", "Bench Bank", date(2026, 1, 1), "AG-bench"), datetime.now(UTC))
        for i, code in enumerate(usccs):
            await standing_repo.add_listing(session, uscc=code, on=date(2026, 1, 5), listed=True, sme_size="small",
                                            event_id=f"l-{i}")
            await standing_repo.add_rating(session, uscc=code, valid_on=date(2026, 1, 2), grade="A", has_report=True,
                                           valid_from=datetime(2026, 1, 2, tzinfo=UTC), event_id=f"r-{i}")
        await session.commit()
    await db.dispose()


def serve(args: list[str], port: int, env: dict[str, str], cwd: Path, workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen([PY, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning", "--no-access-log"], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    wait_port(port, 30)
    return proc


def _ms(text: str) -> float:
    value, unit = re.match(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, script: Path | None = None, connections: int = 32) -> dict[str, float]:
    """Requests per second, latency percentiles (ms) and the count of non-2xx answers from a wrk run."""
    args = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    if script is not None:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
        "p50": _ms(re.search(r"\n\s+50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\n\s+99%\s+(\S+)", out).group(1)),
        "mean": _ms(re.search(r"Latency\s+(\S+)", out).group(1)),
        "bad": float(bad.group(1)) if bad else 0.0,
    }


def lua(work: Path, token: str, delay_ms: int, kind: str = "register") -> Path:
    path = work / f"{kind}-{delay_ms}.lua"
    template = REGISTER_LUA if kind == "register" else STATUS_LUA
    path.write_text(template % {"usccs": work / "usccs.txt", "loans": work / "loans.txt", "token": token,
                                "delay_ms": delay_ms})
    return path


PACED_CONNECTIONS = 10
TARGET_RPS = 200


def paced(url: str, work: Path, token: str, kind: str = "register") -> dict[str, float]:
    """About TARGET_RPS offered by PACED_CONNECTIONS connections, each pausing between its requests."""
    period_ms = 1000 * PACED_CONNECTIONS / TARGET_RPS
    probe = wrk(url, 3, lua(work, token, int(period_ms), kind), PACED_CONNECTIONS)
    pause = max(int(period_ms - probe["mean"]), 0)
    return wrk(url, 15, lua(work, token, pause, kind), PACED_CONNECTIONS)


def loan_ids(db_file: Path, limit: int = 2000) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        return [row[0] for row in conn.execute("SELECT loan_id FROM loan LIMIT ?", (limit,))]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return  # stopped already
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def scale_out(work: Path, token: str, env: dict[str, str]) -> dict[int, float]:
    """Register-loan throughput on PostgreSQL with 1 and with 2 uvicorn workers (the cost should follow cores)."""
    from xinyidai_shared.testing import PostgresServer

    server = PostgresServer()
    rates = {}
    try:
        for workers in (1, 2):
            db_url = server.create_database()
            asyncio.run(seed(db_url, (work / "usccs.txt").read_text().split()))
            port = free_port()
            proc = serve(["claims.app:create_app", "--factory"], port, {**env, "CLAIMS_DATABASE_URL": db_url}, Path.cwd(),
                         workers=workers)
            try:
                url = f"http://127.0.0.1:{port}/v1/loans"
                wrk(url, 3, lua(work, token, 0))  # warm-up (every worker has started and connected)
                run = wrk(url, 10, lua(work, token, 0))
                if run["bad"]:
                    raise SystemExit("registrations were refused during the scale-out benchmark")
                rates[workers] = run["rps"]
            finally:
                stop(proc)
    finally:
        server.stop()
    return rates


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-claims-"))
    usccs = [make_uscc(f"BN{i:07d}") for i in range(ENTERPRISES)]
    (work / "usccs.txt").write_text("\n".join(usccs) + "\n")
    db_url = f"sqlite+aiosqlite:///{work / 'claims.db'}"
    asyncio.run(seed(db_url, usccs))
    token = issue_token(SECRET, org_id="bank-bench", role="bank", name="bank-bench")
    (work / "bare_app.py").write_text(BARE_APP)
    env = {**os.environ, "CLAIMS_DATABASE_URL": db_url, "CLAIMS_AUTH_SECRET": SECRET, "CLAIMS_LOG_LEVEL": "WARNING",
           "CLAIMS_KAFKA_BOOTSTRAP": "", "CLAIMS_DEV_MODE": "false",
           "CLAIMS_EVENT_KEYS_DIR": str(work / "keys"), "CLAIMS_EVENT_KEYS_GENERATE": "true",
           # The limiter still counts every request (its cost is in the figures) but never refuses the load.
           "CLAIMS_RATE_LIMITS_PER_MINUTE": '{"system": 100000000}'}
    port, bare_port = free_port(), free_port()
    server = serve(["claims.app:create_app", "--factory"], port, env, Path.cwd())
    bare = serve(["bare_app:app", "--app-dir", str(work)], bare_port, env, work)
    url = f"http://127.0.0.1:{port}/v1/loans"
    try:
        wrk(url, 3, lua(work, token, 0))  # warm-up
        bare_run = wrk(f"http://127.0.0.1:{bare_port}/bare", 10)
        max_run = wrk(url, 10, lua(work, token, 0))
        paced_run = paced(url, work, token)
        if max_run["bad"] or paced_run["bad"]:
            raise SystemExit("registrations were refused during the benchmark")
        (work / "loans.txt").write_text("\n".join(loan_ids(work / "claims.db")) + "\n")
        base = f"http://127.0.0.1:{port}"
        status_max = wrk(base, 10, lua(work, token, 0, "status"))
        status_paced = paced(base, work, token, "status")
        if status_max["bad"] or status_paced["bad"]:
            raise SystemExit("status reports were refused during the benchmark")
        print(f"api.register_loan.p50_ms: {paced_run['p50']:.1f} ms")
        print(f"api.register_loan.p99_ms: {paced_run['p99']:.1f} ms")
        print(f"api.register_loan.paced_rps: {paced_run['rps']:.0f} req/s")
        print(f"api.register_loan.max_rps: {max_run['rps']:.0f} req/s")
        print(f"api.bare.max_rps: {bare_run['rps']:.0f} req/s")
        print(f"api.register_loan.ratio_to_bare: {max_run['rps'] / bare_run['rps']:.3f} ratio")
        print(f"api.report_overdue.p50_ms: {status_paced['p50']:.1f} ms")
        print(f"api.report_overdue.p99_ms: {status_paced['p99']:.1f} ms")
        print(f"api.report_overdue.paced_rps: {status_paced['rps']:.0f} req/s")
        print(f"api.report_overdue.max_rps: {status_max['rps']:.0f} req/s")
        stop(server)
        stop(bare)
        rates = scale_out(work, token, env)
        print(f"api.register_loan.postgres_1_worker_rps: {rates[1]:.0f} req/s")
        print(f"api.register_loan.postgres_2_workers_rps: {rates[2]:.0f} req/s")
        print(f"api.register_loan.postgres_2_workers_over_1: {rates[2] / rates[1]:.2f} ratio")
    finally:
        stop(server)
        stop(bare)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
