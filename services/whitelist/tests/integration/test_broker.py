"""Against the real broker (Tansu): CreditRatingChanged consumed, EnterpriseRecommended/Delisted relayed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from whitelist.app import create_app
from whitelist.testing import CREDIT, DEPT, LG, application_body, rating, upload_all
from xinyidai_shared.events import TOPICS, Envelope, RiskAlertRaised, envelope_for
from xinyidai_shared.relay import make_producer
from xinyidai_shared.testing import app_client, eventually, signed


async def _whitelist_events(bootstrap: str, uscc: str, expected: int) -> list[Envelope]:
    consumer = AIOKafkaConsumer(TOPICS["whitelist"], bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Envelope] = []
    try:
        async def enough() -> bool:
            batches = await consumer.getmany(timeout_ms=200)
            found.extend(Envelope.model_validate_json(m.value) for msgs in batches.values() for m in msgs
                         if m.key == uscc.encode())
            return len(found) >= expected

        await eventually(enough, timeout_s=30)
    finally:
        await consumer.stop()
    return found


async def test_rating_from_the_broker_prefills_the_check_and_recommendation_reaches_the_topic(
    kafka_bootstrap, settings_for, clock
) -> None:
    app = create_app(settings_for(kafka_bootstrap=kafka_bootstrap), clock=clock)
    producer = make_producer(kafka_bootstrap)
    await producer.start()
    try:
        async with app_client(app) as client:
            created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
            uscc, app_id = created["uscc"], created["id"]
            await upload_all(client, app_id)
            good = envelope_for(rating(uscc, "AA"))
            await producer.send_and_wait(TOPICS["credit-data"], signed(good), key=uscc.encode())

            async def prefilled() -> bool:
                view = (await client.get(f"/v1/applications/{app_id}", headers=CREDIT)).json()
                return view["credit_verdict"]["passed"]

            await eventually(prefilled, timeout_s=30)
            for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
                assert (await client.post(f"/v1/applications/{app_id}/{path}", json={}, headers=headers)).status_code == 200
            downgrade = envelope_for(rating(uscc, "B"))
            for _ in range(2):  # the same event delivered twice
                await producer.send_and_wait(TOPICS["credit-data"], signed(downgrade),
                                             key=uscc.encode())
            # A harmless event on the same key (same partition) after both: once it is handled, so are they.
            marker = envelope_for(RiskAlertRaised(uscc=uscc, alert_id="m", rule="marker", severity="info", detail="",
                                                  raised_at=datetime.now(UTC)))
            await producer.send_and_wait(TOPICS["credit-data"], signed(marker), key=uscc.encode())
            events = await _whitelist_events(kafka_bootstrap, uscc, expected=2)
            assert [e.type for e in events] == ["EnterpriseRecommended", "EnterpriseDelisted"]
            assert events[0].payload["application_id"] == app_id
            runtime = app.state.runtime
            inbox = runtime.spec.tables.inbox

            async def handled_once() -> bool:
                async with runtime.db.read_session() as session:
                    count = (await session.execute(
                        select(func.count()).where(inbox.c.event_id.in_([str(downgrade.id), str(marker.id)])))).scalar_one()
                return count == 2

            await eventually(handled_once, timeout_s=15)
            outbox = runtime.spec.tables.outbox
            async with runtime.db.read_session() as session:
                delisted = (await session.execute(select(func.count()).where(
                    outbox.c.type == "EnterpriseDelisted", outbox.c.key == uscc))).scalar_one()
            assert delisted == 1
    finally:
        await producer.stop()
