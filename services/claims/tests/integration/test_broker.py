"""Against the real broker: projections fed by other services' topics, ClaimApproved relayed, payment consumed."""

import asyncio
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from xinyidai_shared.events import (
    TOPICS, CompensationPaid, CreditRatingChanged, EnterpriseRecommended, Envelope, EventPayload, envelope_for,
)
from xinyidai_shared.relay import make_producer
from xinyidai_shared.testing import app_client, eventually, signed

from .helpers import GROUP, LG, admit, bank_headers, build, loan_body, uscc


async def publish(bootstrap: str, service: str, payload: EventPayload) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        envelope = envelope_for(payload)
        await producer.send_and_wait(TOPICS[service], signed(envelope), key=envelope.key.encode())
    finally:
        await producer.stop()


async def claim_approved_on_topic(bootstrap: str, claim_id: str) -> Envelope:
    consumer = AIOKafkaConsumer(TOPICS["claims"], bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            for messages in (await consumer.getmany(timeout_ms=300)).values():
                for message in messages:
                    envelope = Envelope.model_validate_json(message.value)
                    if envelope.type == "ClaimApproved" and envelope.payload["claim_id"] == claim_id:
                        return envelope
        raise AssertionError("ClaimApproved never reached the claims topic")
    finally:
        await consumer.stop()


async def test_events_from_the_broker_feed_eligibility_and_payment(sqlite_url, clock, kafka_bootstrap):
    app = build(sqlite_url, clock, kafka_bootstrap=kafka_bootstrap, relay_poll_interval_s=0.05)
    code = uscc()
    async with app_client(app) as client:
        await eventually(lambda: _ready(app), timeout_s=30)
        await publish(kafka_bootstrap, "whitelist", EnterpriseRecommended(
            uscc=code, name="Broker Co", application_id="a-1", sme_size="micro", recommended_on=datetime(2026, 1, 5).date()))
        await publish(kafka_bootstrap, "credit-data", CreditRatingChanged(
            uscc=code, grade="AA", model_version="v1", has_report=True, valid_from=datetime(2026, 1, 2, tzinfo=UTC)))

        async def standing_arrived() -> bool:
            body = (await client.get(f"/v1/enterprises/{code}/standing", params={"on": "2026-03-02", "purpose": "test"}, headers=LG)).json()
            return body["listed"] and body["grade"] == "AA"

        await eventually(standing_arrived, timeout_s=30)
        await admit(client, "bank-kafka")
        headers = bank_headers("bank-kafka")
        loan = (await client.post("/v1/loans", headers=headers, json=loan_body(code, "K-1"))).json()
        assert loan["covered"], loan["eligibility"]
        await client.post(f"/v1/loans/{loan['loan_id']}/classification", headers=headers,
                          json={"category": "loss", "as_of": "2027-06-30"})
        claim = (await client.post("/v1/claims", headers=headers, json={"loan_id": loan["loan_id"], "materials": [
            {"kind": "art11_documents", "ref": "d1"}, {"kind": "loan_proof", "ref": "d2"}]})).json()
        cid, bid = claim["claim_id"], claim["batch_id"]
        for path, body in ((f"/v1/batches/{bid}/close", None), (f"/v1/claims/{cid}/preliminary-review", {"decision": "pass"}),
                           (f"/v1/claims/{cid}/approval", {"decision": "approve"}), (f"/v1/batches/{bid}/notice", None),
                           (f"/v1/batches/{bid}/notice/close", None)):
            headers_for_step = GROUP if path.endswith("/approval") else LG
            assert (await client.post(path, headers=headers_for_step, json=body)).status_code == 200
        envelope = await claim_approved_on_topic(kafka_bootstrap, cid)
        assert envelope.key == loan["loan_id"] and envelope.payload["ratio_bp"] == 3000
        await publish(kafka_bootstrap, "fund-ledger", CompensationPaid(
            claim_id=cid, loan_id=loan["loan_id"], bank_id="bank-kafka", uscc=code, amount_fen=300_000_00,
            transfer_id="tr-k", paid_at=datetime.now(UTC)))

        async def paid() -> bool:
            return (await client.get(f"/v1/claims/{cid}", headers=headers)).json()["state"] == "paid"

        await eventually(paid, timeout_s=30)


async def _ready(app) -> bool:  # noqa: ANN001
    return app.state.runtime.kafka_ready
