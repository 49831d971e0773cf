"""Risk alerts to lending banks (feed + signed webhooks), dishonesty list, commitment letters."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from xinyidai_shared.clock import today_shanghai, utcnow

from credit_data.adapters.tables import loan_exposure, webhook_delivery
from credit_data.domain.webhooks import verify

from .helpers import CCB, DEPT, ICBC, OFFICE, WATER, new_uscc, outbox_events, push_demo, running, water

pytestmark = pytest.mark.asyncio
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _lend(client, uscc: str, bank_id: str) -> None:
    runtime = client.app.state.runtime
    async with runtime.uow() as uow:
        row = {"loan_id": f"L-{uuid.uuid4().hex[:6]}", "bank_id": bank_id, "uscc": uscc, "active": True, "days_past_due": 0, "updated_at": utcnow()}
        await uow.session.execute(insert(loan_exposure).values(row))
        await uow.commit()


async def test_arrears_alert_reaches_only_the_lending_bank_once(db_url, tmp_path):
    uscc = new_uscc()
    arrears = {"paid_on": None, "amount_paid": "0", "arrears": "361.50"}
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        await _lend(client, uscc, "bank-icbc-ly")
        batch = {"records": [water(uscc, 2, **arrears), water(uscc, 1, **arrears)]}
        await client.post("/v1/feeds/batch", json=batch, headers=WATER)
        await client.post("/v1/feeds/batch", json=batch, headers=WATER)  # resent: no second alert
        page = (await client.get("/v1/alerts", headers=ICBC)).json()
        rules = [a["rule"] for a in page["alerts"]]
        assert rules.count("UTILITY_ARREARS_2M") == 1 and "GRADE_DOWNGRADE" in rules
        assert (await client.get("/v1/alerts", params={"after": page["next_cursor"]}, headers=ICBC)).json()["alerts"] == []
        assert (await client.get("/v1/alerts", headers=CCB)).json()["alerts"] == []
        published = await outbox_events(client, "RiskAlertRaised", uscc)
        assert {e.payload["rule"] for e in published} == set(rules)


async def test_webhook_deliveries_are_signed_and_retried_with_backoff(sqlite_url, tmp_path):
    uscc = new_uscc()
    received: list[tuple[bytes, str]] = []
    async with running(sqlite_url, tmp_path, webhook_poll_interval_s=0.02) as client:
        import httpx

        from credit_data.service_layer.webhooks import deliver_due

        calls = {"n": 0}

        def bank_endpoint(request: httpx.Request) -> httpx.Response:
            calls["n"] += 1
            if calls["n"] == 1:
                return httpx.Response(503)
            received.append((request.content, request.headers["X-Xyd-Signature"]))
            return httpx.Response(200)

        plain = await client.put("/v1/alerts/webhook", json={"url": "http://bank.example/hook", "secret": "icbc-webhook-secret-1"}, headers=ICBC)
        assert (plain.status_code, plain.json()["code"]) == (400, "WEBHOOK_URL_INSECURE")
        await client.put("/v1/alerts/webhook", json={"url": "https://bank.example/hook", "secret": "icbc-webhook-secret-1"}, headers=ICBC)
        await _lend(client, uscc, "bank-icbc-ly")
        body = {"uscc": uscc, "reference": "R-1", "reason": "虚假申报", "started_on": today_shanghai().isoformat()}
        await client.post("/v1/dishonesty-records", json=body, headers=DEPT)
        runtime = client.app.state.runtime
        async with httpx.AsyncClient(transport=httpx.MockTransport(bank_endpoint)) as bank:
            assert await deliver_due(runtime, bank) == 1  # 503: retried later, not now
            assert await deliver_due(runtime, bank) == 0
            async with runtime.uow() as uow:
                await uow.session.execute(webhook_delivery.update().values(next_attempt_at=utcnow() - timedelta(seconds=1)))
                await uow.commit()
            assert await deliver_due(runtime, bank) == 1
        async with runtime.db.read_session() as session:
            row = (await session.execute(select(webhook_delivery))).one()
        assert (row.status, row.attempts) == ("delivered", 2)
        content, header = received[0]
        assert verify("icbc-webhook-secret-1", header, content) and b"NEW_DISHONESTY" in content


async def test_dishonesty_caps_the_grade_then_repair_lifts_it_and_publishes_removal(db_url, tmp_path):
    uscc = new_uscc()
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        body = {"uscc": uscc, "reference": "R-7", "reason": "拒不履行法院判决", "started_on": today_shanghai().isoformat()}
        created = await client.post("/v1/dishonesty-records", json=body, headers=DEPT)
        again = await client.post("/v1/dishonesty-records", json=body, headers=DEPT)
        clash = await client.post("/v1/dishonesty-records", json=body | {"reason": "其他"}, headers=DEPT)
        assert (created.status_code, again.status_code, clash.status_code) == (201, 201, 409)
        assert again.json() == created.json() and clash.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["grade"] in {"C", "D"}
        assert uscc in {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}
        record_id = created.json()["record_id"]
        repaired = await client.post(f"/v1/dishonesty-records/{record_id}/repair", json={"repaired_on": today_shanghai().isoformat(), "reason": "已履行"}, headers=OFFICE)
        assert repaired.status_code == 200
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["lends"] is True
        assert uscc not in {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}
        assert len(await outbox_events(client, "DishonestyRecorded", uscc)) == 1
        assert len(await outbox_events(client, "DishonestyRemoved", uscc)) == 1


async def test_expiry_before_start_is_refused(sqlite_url, tmp_path):
    body = {"uscc": new_uscc(), "reference": "R-8", "reason": "x", "started_on": "2026-05-01", "expires_on": "2026-04-01"}
    async with running(sqlite_url, tmp_path) as client:
        response = await client.post("/v1/dishonesty-records", json=body, headers=DEPT)
        assert (response.status_code, response.json()["code"]) == (400, "DISHONESTY_EXPIRY_INVALID")


async def test_letter_is_published_and_voided_when_the_legal_representative_changes(db_url, tmp_path):
    uscc = new_uscc()
    url = f"/v1/enterprises/{uscc}/commitment-letters"
    async with running(db_url, tmp_path, letter_max_bytes=1000) as client:
        assert (await client.post(url, content=PDF, headers=DEPT)).json()["code"] == "IDENTITY_UNKNOWN"
        await client.put(f"/v1/enterprises/{uscc}/identity", json={"name": "甲公司", "legal_representative": "张三"}, headers=DEPT)
        not_pdf = await client.post(url, content=b"GIF89a....", headers=DEPT)
        too_big = await client.post(url, content=PDF * 40, headers=DEPT)
        assert (not_pdf.status_code, too_big.status_code) == (415, 413)
        uploaded = await client.post(url, content=PDF, headers=DEPT | {"Content-Type": "application/pdf"})
        assert uploaded.status_code == 201 and len(uploaded.json()["sha256"]) == 64
        public = (await client.get("/v1/public/commitment-letters")).json()
        assert [p["id"] for p in public if p["uscc"] == uscc] == [uploaded.json()["id"]]
        assert (await client.get(f"/v1/public/commitment-letters/{uploaded.json()['id']}.pdf")).content == PDF
        changed = await client.put(f"/v1/enterprises/{uscc}/identity", json={"name": "甲公司", "legal_representative": "李四"}, headers=DEPT)
        assert changed.json()["letters_voided"] == 1
        assert uscc not in {p["uscc"] for p in (await client.get("/v1/public/commitment-letters")).json()}
        statuses = [l["status"] for l in (await client.get(url, headers=OFFICE)).json()]
        assert statuses == ["void"]
