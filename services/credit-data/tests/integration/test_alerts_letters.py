"""Risk alerts (raised once, published; banks are told by claims), dishonesty list, commitment letters."""

from __future__ import annotations


import pytest

from xinyidai_shared.clock import today_shanghai

from .helpers import DEPT, ICBC, OFFICE, WATER, new_uscc, outbox_events, push_demo, running, water

pytestmark = pytest.mark.asyncio
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_an_arrears_alert_is_raised_once_published_and_shown_to_officers(db_url, tmp_path):
    uscc = new_uscc()
    arrears = {"paid_on": None, "amount_paid": "0", "arrears": "361.50"}
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        batch = {"records": [water(uscc, 2, **arrears), water(uscc, 1, **arrears)]}
        await client.post("/v1/feeds/batch", json=batch, headers=WATER)
        await client.post("/v1/feeds/batch", json=batch, headers=WATER)  # resent: no second alert
        alerts = (await client.get(f"/v1/enterprises/{uscc}/alerts", headers=OFFICE)).json()
        rules = [a["rule"] for a in alerts]
        assert rules.count("UTILITY_ARREARS_2M") == 1 and "GRADE_DOWNGRADE" in rules
        published = await outbox_events(client, "RiskAlertRaised", uscc)
        assert sorted(e.payload["rule"] for e in published) == sorted(rules)
        # Banks hear of alerts from claims (its message feed and webhooks), not from here.
        assert (await client.get("/v1/alerts", headers=ICBC)).status_code == 404


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
