"""fund-ledger on the real broker (Tansu): ClaimApproved in from the claims topic, CompensationPaid out on
ours, exactly once even when the approval is delivered twice and replayed under a new event id."""

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer
from xinyidai_shared.events import TOPICS, Envelope, envelope_for
from xinyidai_shared.relay import ensure_topics, make_producer
from xinyidai_shared.testing import app_client, auth, eventually

from fund_ledger.app import create_app
from fund_ledger.config import Settings

from ..conftest import TEST_SECRET, approved

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
    czj = auth("finance_bureau", "czj")
    async with app_client(app) as client:
        response = await client.post("/v1/deposits/initial-capital", json={"transfer_id": "cap", "amount": "10000000.00"}, headers=czj)
        assert response.status_code == 201
        payload = approved("clm-broker", bank_id="bank-icbc-ly", principal_fen=1_000_000_00)
        envelope = envelope_for(payload, correlation_id="corr-demo-1")
        await ensure_topics(kafka_bootstrap, [TOPICS["claims"]], 3)
        producer = make_producer(kafka_bootstrap)
        await producer.start()
        try:
            for env in (envelope, envelope, envelope_for(payload)):
                await producer.send_and_wait(TOPICS["claims"], env.model_dump_json().encode(), key=env.key.encode())
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
