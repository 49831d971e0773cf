"""Whitelist consumer benchmark: credit-data events applied through the inbox path on SQLite.

Measures how many CreditRatingChanged events per second the whitelist applies (projection upsert,
and for downgrades of listed members: suspension, history, EnterpriseDelisted to the outbox, review).
Prints `name: value unit` lines. Run: .venv/bin/python bench/bench_whitelist_events.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from whitelist.app import create_app
from whitelist.config import Settings
from whitelist.testing import CREDIT, DEPT, LG, application_body, deliver, new_uscc, rating, upload_all
from xinyidai_shared.testing import TEST_SECRET, app_client

EVENTS = 1000
MEMBERS = 50


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", auth_secret=TEST_SECRET,
                            notice_working_days=0, log_level="WARNING", log_json=False, dev_mode=True)
        app = create_app(settings)
        async with app_client(app) as client:
            started = time.perf_counter()
            for _ in range(EVENTS):
                await deliver(app, rating(new_uscc(), "AA"))
            elapsed = time.perf_counter() - started
            print(f"whitelist.consume.rating_upsert.events_per_s: {EVENTS / elapsed:.0f} events/s")
            members = []
            for _ in range(MEMBERS):
                created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
                await upload_all(client, created["id"])
                await deliver(app, rating(created["uscc"]))
                for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
                    await client.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)
                members.append(created["uscc"])
            started = time.perf_counter()
            for uscc in members:
                await deliver(app, rating(uscc, "B"))
            per_ms = (time.perf_counter() - started) * 1000 / MEMBERS
            print(f"whitelist.consume.downgrade_suspends_member.mean_ms: {per_ms:.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
