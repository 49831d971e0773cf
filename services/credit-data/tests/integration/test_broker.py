"""credit-data on the real broker: rating changes leave through the outbox, loan events come in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from xinyidai_shared.events import (
    TOPICS, Envelope, LoanCured, LoanDefaultedMaliciously, LoanOverdue, LoanRegistered, envelope_for,
)
from xinyidai_shared.relay import make_producer
from xinyidai_shared.testing import eventually, signed

from credit_data.adapters.tables import dishonesty, loan_exposure

from .helpers import OFFICE, new_uscc, push_demo, running

pytestmark = pytest.mark.asyncio


async def _events_for(bootstrap: str, topic: str, key: str, want: int, timeout_s: float = 20.0) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(found) < want and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found += [Envelope.model_validate_json(r.value) for r in records if r.key and r.key.decode() == key]
    finally:
        await consumer.stop()
    return found


async def test_credit_rating_changed_reaches_the_broker_with_the_enterprise_as_key(sqlite_url, tmp_path, kafka_bootstrap):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path, kafka_bootstrap=kafka_bootstrap) as client:
        await push_demo(client, uscc)
        events = await _events_for(kafka_bootstrap, TOPICS["credit-data"], uscc, want=2)
    grades = [e.payload["grade"] for e in events if e.type == "CreditRatingChanged"]
    assert grades[0] == "UNRATED" and grades[-1] in {"AAA", "AA", "A"}


async def test_loan_events_over_the_broker_hold_a_default_report_for_review_and_a_cure_lifts_the_penalty(
    sqlite_url, tmp_path, kafka_bootstrap
):
    """Invariant: a bank's report alone publishes nothing; the cure reaches the rating."""
    uscc, loan_id = new_uscc(), f"L-{uuid.uuid4().hex[:8]}"
    common = {"loan_id": loan_id, "bank_id": "bank-icbc-ly", "uscc": uscc}
    registered = LoanRegistered(
        **common, bank_loan_no="ICBC-1", principal_fen=50_000_000, annual_rate_bp=435, issued_on=date(2026, 1, 5),
        matures_on=date(2027, 1, 5), covered=True, first_loan=True, policy_profile="measures",
    )  # fmt: skip
    overdue = LoanOverdue(**common, days_past_due=40, overdue_principal_fen=1_000_000, as_of=date(2026, 11, 1))
    default = LoanDefaultedMaliciously(**common, detail="assets moved away", reported_on=date(2026, 11, 1),
                                       days_past_due=40, category="special_mention", outstanding_fen=50_000_000)
    cured = LoanCured(**common, previous_days_past_due=40, cured_on=date(2026, 11, 20))
    async with running(sqlite_url, tmp_path, kafka_bootstrap=kafka_bootstrap) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        await push_demo(client, uscc)
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        try:
            for payload in (registered, overdue, default, default, cured):  # the duplicate report must change nothing
                envelope = envelope_for(payload)
                await producer.send_and_wait(TOPICS["claims"], signed(envelope), key=loan_id.encode())
        finally:
            await producer.stop()

        async def cured_seen() -> bool:
            async with runtime.db.read_session() as session:
                row = (await session.execute(select(loan_exposure).where(loan_exposure.c.loan_id == loan_id))).first()
            return row is not None and row.days_past_due == 0 and bool(await _reports(client, uscc))

        await eventually(cured_seen, timeout_s=30)
        (report,) = await _reports(client, uscc)
        assert (report["status"], report["days_past_due"], report["outstanding"]) == ("pending", 40, "500000.00")
        async with runtime.db.read_session() as session:
            assert (await session.execute(select(dishonesty).where(dishonesty.c.uscc == uscc))).first() is None
        assert uscc not in {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}
        rating = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()
        assert "LOAN_OVERDUE" not in rating["reason_codes"] and rating["lends"]


async def _reports(client, uscc: str) -> list[dict]:  # noqa: ANN001
    return (await client.get("/v1/default-reports", params={"uscc": uscc}, headers=OFFICE)).json()
