"""Whitelist consumer benchmark: credit-data's CreditRatingChanged events applied on SQLite.

- whitelist.consume.rating_events_per_s: a re-rating of every enterprise reaching the list: signed events
  in polls of 500 (the consumer's max_poll_records) through the consumer runner's own poll path (decode,
  signature check, inbox, group commit with the service's group handlers); WL_BENCH_ENTERPRISES
  enterprises (default 50,000) rated twice (a first rating, then a re-rating: inserts, then updates), so
  100,000 events; the end state is asserted (inbox, projection, newest grades);
- whitelist.consume.rating_upsert.events_per_s: the same events one by one (one transaction each, the
  path of a lone event or of a group that failed);
- whitelist.consume.downgrade_suspends_member.mean_ms: a downgrade of a listed member (suspension,
  history, EnterpriseDelisted to the outbox, review task), one at a time.
Run: .venv/bin/python bench/bench_whitelist_events.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select

from whitelist.adapters.tables import CreditProjectionRow
from whitelist.app import create_app
from whitelist.config import Settings
from whitelist.testing import CREDIT, DEPT, LG, application_body, deliver, new_uscc, rating, upload_all
from xinyidai_shared.consumer import ConsumerRunner
from xinyidai_shared.events import TOPICS, envelope_for
from xinyidai_shared.signing import load_or_create_signer
from xinyidai_shared.testing import TEST_SECRET, app_client
from xinyidai_shared.uscc import make_uscc

SINGLE_EVENTS = 1000
MEMBERS = 50
POLL = 500
TOPIC = TOPICS["credit-data"]


def signed_polls(keys_dir: Path, enterprises: int) -> tuple[list[list[ConsumerRecord]], list[str]]:
    """Two ratings per enterprise (AA, then A a day later) as signed records, cut into polls."""
    signer = load_or_create_signer(keys_dir, "credit-data")
    usccs = [make_uscc(f"RR{n:07d}") for n in range(enterprises)]
    first = datetime.now(UTC) - timedelta(days=1)
    records = []
    for grade, at in (("AA", first), ("A", first + timedelta(days=1))):
        for uscc in usccs:
            payload = rating(uscc, grade, at=at)
            envelope = envelope_for(payload)
            value = signer.sign(TOPIC, envelope.model_dump(mode="json"))
            records.append(ConsumerRecord(TOPIC, 0, len(records), 0, 0, uscc.encode(), value, None, len(uscc),
                                          len(value), ()))
    return [records[i:i + POLL] for i in range(0, len(records), POLL)], usccs


async def rerate_through_polls(app, polls: list[list[ConsumerRecord]], usccs: list[str]) -> float:  # noqa: ANN001
    """Events/s of the consumer's poll path; asserts every event applied and the newest grade stored."""
    runtime = app.state.runtime
    runner = ConsumerRunner(bootstrap="", group="whitelist", topics=[TOPIC], handlers=runtime.spec.handlers,
                            uow_factory=runtime.uow, dlq_producer=None, keyring=runtime.keyring,
                            group_handlers=runtime.spec.group_handlers)
    started = time.perf_counter()
    for poll in polls:
        await runner.handle_poll(poll)
    elapsed = time.perf_counter() - started
    events = sum(len(poll) for poll in polls)
    assert runner.applied == events and runner.parked == 0, (runner.applied, runner.parked)
    table = CreditProjectionRow.__table__
    async with runtime.db.read_session() as session:
        query = select(table.c.grade, func.count()).where(table.c.uscc.in_(usccs[:1000])).group_by(table.c.grade)
        grades = {grade: count for grade, count in await session.execute(query)}
        inbox = (await session.execute(select(func.count()).select_from(runtime.spec.tables.inbox))).scalar_one()
    assert grades == {"A": 1000}, grades
    assert inbox >= events, inbox
    return events / elapsed


async def main() -> None:
    enterprises = int(os.environ.get("WL_BENCH_ENTERPRISES", "50000"))
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "keys"
        settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", auth_secret=TEST_SECRET,
                            notice_working_days=0, log_level="WARNING", log_json=False, dev_mode=True,
                            event_keys_dir=str(keys))
        app = create_app(settings)
        async with app_client(app) as client:
            polls, usccs = signed_polls(keys, enterprises)
            rate = await rerate_through_polls(app, polls, usccs)
            print(f"whitelist.consume.rating_events_per_s: {rate:.0f} events/s")
            print(f"whitelist.consume.rerate_100k_enterprises_s: {100_000 / rate:.1f} s")
            started = time.perf_counter()
            for _ in range(SINGLE_EVENTS):
                await deliver(app, rating(new_uscc(), "AA"))
            elapsed = time.perf_counter() - started
            print(f"whitelist.consume.rating_upsert.events_per_s: {SINGLE_EVENTS / elapsed:.0f} events/s")
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
