"""Whitelist benchmarks: the whole application walk over HTTP (in-process, SQLite), SME and notice math.

Prints `name: value unit` lines. Run: .venv/bin/python bench/bench_whitelist_workflow.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from whitelist.app import create_app
from whitelist.config import Settings
from whitelist.domain.sme import Figures, SmeIndustry, classify
from whitelist.testing import CREDIT, DEPT, LG, application_body, deliver, rating, upload_all
from xinyidai_shared.testing import TEST_SECRET, app_client
from xinyidai_shared.workdays import notice_end

WALKS = 100


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _walks() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", auth_secret=TEST_SECRET,
                            notice_working_days=0, log_level="WARNING", log_json=False, dev_mode=True)
        app = create_app(settings)
        async with app_client(app) as client:
            step_ms: dict[str, list[float]] = {"apply": [], "screen": [], "credit-check": [], "review": [], "conclude": []}
            walk_ms: list[float] = []
            for _ in range(WALKS):
                started = time.perf_counter()
                created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
                step_ms["apply"].append((time.perf_counter() - started) * 1000)
                await upload_all(client, created["id"])
                await deliver(app, rating(created["uscc"]))
                for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
                    t0 = time.perf_counter()
                    response = await client.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)
                    assert response.status_code == 200, response.text
                    step_ms[path].append((time.perf_counter() - t0) * 1000)
                walk_ms.append((time.perf_counter() - started) * 1000)
            for step, values in step_ms.items():
                print(f"whitelist.step.{step.replace('-', '_')}.p50_ms: {statistics.median(values):.2f} ms")
                print(f"whitelist.step.{step.replace('-', '_')}.p99_ms: {_pct(values, 0.99):.2f} ms")
            print(f"whitelist.walk_apply_to_recommended.p50_ms: {statistics.median(walk_ms):.2f} ms")
            t0 = time.perf_counter()
            for _ in range(50):
                await client.get("/v1/public/list")
            print(f"whitelist.public_list_{WALKS}_members.mean_ms: {(time.perf_counter() - t0) * 1000 / 50:.2f} ms")


def _pure() -> None:
    figures = Figures(employees=250, revenue_fen=15_000_000_000, assets_fen=0)
    rounds = 100_000
    t0 = time.perf_counter()
    for _ in range(rounds):
        classify(SmeIndustry.INDUSTRY, figures)
    print(f"whitelist.sme_classify.per_call_us: {(time.perf_counter() - t0) * 1e6 / rounds:.2f} us")
    t0 = time.perf_counter()
    for _ in range(10_000):
        notice_end(date(2026, 12, 28), 5)
    print(f"whitelist.notice_end_5_days_across_year.per_call_us: {(time.perf_counter() - t0) * 1e6 / 10_000:.2f} us")


if __name__ == "__main__":
    _pure()
    asyncio.run(_walks())
