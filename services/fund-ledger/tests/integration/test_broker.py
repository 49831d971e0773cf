"""fund-ledger on the real broker (Tansu): ClaimApproved in from the claims topic, CompensationPaid out on
ours, exactly once even when the approval is delivered twice and replayed under a new event id."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer
from xinyidai_shared.events import TOPICS, Envelope, envelope_for
from xinyidai_shared.relay import ensure_topics, make_producer
from xinyidai_shared.testing import app_client, auth, eventually, signed

from fund_ledger.adapters import books
from fund_ledger.app import create_app
from fund_ledger.config import Settings
from fund_ledger.domain.accounts import CASH, INCOME_CONTRIBUTION, Transfer, TransferKind, due_account

from ..conftest import TEST_SECRET, approved, interest

pytestmark = pytest.mark.asyncio


async def compensation_events(bootstrap: str, claim_id: str, wait_s: float = 3.0) -> list[Envelope]:
    consumer = AIOKafkaConsumer(TOPICS["fund-ledger"], bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    found: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + wait_s
        while asyncio.get_running_loop().time() < deadline:
            for messages in (await consumer.getmany(timeout_ms=200)).values():
                for message in messages:
                    envelope = Envelope.model_validate_json(message.value)
                    if envelope.payload.get("claim_id") == claim_id:
                        found.append(envelope)
    finally:
        await consumer.stop()
    return found


async def test_claim_approved_twice_and_replayed_pays_once_and_publishes_one_compensation_paid(sqlite_url, kafka_bootstrap):
    settings = Settings(database_url=sqlite_url, kafka_bootstrap=kafka_bootstrap, auth_secret=TEST_SECRET, relay_poll_interval_s=0.05)
    app = create_app(settings)
    czj, checker = auth("finance_bureau", "czj", subject="wang"), auth("finance_bureau", "czj", subject="li")
    async with app_client(app) as client:
        declared = await client.post("/v1/deposits/initial-capital", json={"reference": "cap", "amount": "10000000.00"}, headers=czj)
        assert declared.status_code == 201
        confirmed = await client.post(f"/v1/transfers/{declared.json()['id']}/confirmation", json={}, headers=checker)
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "posted"
        payload = approved("clm-broker", bank_id="bank-icbc-ly", principal_fen=1_000_000_00)
        envelope = envelope_for(payload, correlation_id="corr-demo-1")
        await ensure_topics(kafka_bootstrap, [TOPICS["claims"]], 3)
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        try:
            for env in (envelope, envelope, envelope_for(payload)):
                await producer.send_and_wait(TOPICS["claims"], signed(env), key=env.key.encode())
        finally:
            await producer.stop()

        async def paid() -> bool:
            return (await client.get("/v1/fund", headers=czj)).json()["compensation_paid"] == "300000.00"

        await eventually(paid, timeout_s=20)
        await asyncio.sleep(0.5)  # let the duplicates arrive too: they must change nothing
        fund = (await client.get("/v1/fund", headers=czj)).json()
        assert (fund["cash"], fund["compensation_paid"]) == ("9700000.00", "300000.00")
        events = await compensation_events(kafka_bootstrap, "clm-broker")
    assert [e.type for e in events] == ["CompensationPaid"]
    assert events[0].payload["amount_fen"] == 300_000_00
    assert events[0].payload["transfer_id"] == f"cmp-{envelope.id}"
    assert events[0].correlation_id == "corr-demo-1"


async def test_a_derived_id_already_taken_fails_loudly_and_verification_reports_the_parked_event(sqlite_url, kafka_bootstrap, capsys):
    """Issue 10 item 3: when the id the ledger derives for the 5% contribution is already taken (a caller
    chose it before references were kept apart), the consumer does not park in silence: an error is
    logged, the event is parked, and verification fails until the event is handled."""
    settings = Settings(database_url=sqlite_url, kafka_bootstrap=kafka_bootstrap, auth_secret=TEST_SECRET,
                        relay_poll_interval_s=0.05, consumer_retry_backoff_s=0.01)
    app = create_app(settings)
    auditor = auth("auditor", "audit-ly")
    async with app_client(app) as client:
        async with app.state.runtime.uow() as uow:  # what a bank could do before: pay under the derived id
            now = datetime.now(UTC)
            await books.record(uow.session, Transfer("legacy-due", TransferKind.CONTRIBUTION_DUE,
                                                     due_account("contribution", "bank-a"), INCOME_CONTRIBUTION, 1,
                                                     created_at=now, posted_at=now))
            later = now + timedelta(seconds=1)
            await books.record(uow.session, Transfer("due-contribution:ir-legacy", TransferKind.CONTRIBUTION_PAYMENT, CASH,
                                                     due_account("contribution", "bank-a"), 1, created_at=later, posted_at=later))
            await uow.commit()
        await ensure_topics(kafka_bootstrap, [TOPICS["claims"]], 3)
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        try:
            envelope = envelope_for(interest("bank-a", income_fen=1_000_000_00, report_id="ir-legacy"))
            await producer.send_and_wait(TOPICS["claims"], signed(envelope), key=envelope.key.encode())
        finally:
            await producer.stop()

        async def alarmed() -> bool:
            return any("parked" in v for v in (await client.get("/v1/verification", headers=auditor)).json()["violations"])

        await eventually(alarmed, timeout_s=30)
        violations = (await client.get("/v1/verification", headers=auditor)).json()["violations"]
        dues = (await client.get("/v1/dues", headers=auditor)).json()
    assert any("InterestIncomeReported" in v and str(envelope.id) in v and "DerivedTransferConflict" in v for v in violations), violations
    assert dues == []  # nothing half-booked
    logged = [line for line in capsys.readouterr().out.splitlines() if '"level":"ERROR"' in line]
    assert any("derived transfer id already names another movement" in line for line in logged)
    assert any("event parked in dead letters" in line for line in logged)
