"""Credit reports: authorisation for banks, JSON and Chinese PDF, the query log, unrated means no report."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from xinyidai_shared.auth import Role
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.testing import auth

from .helpers import CCB, DEPT, ICBC, OFFICE, WATER, new_uscc, outbox_events, push_demo, running, water

pytestmark = pytest.mark.asyncio


async def _authorise(client, uscc: str, bank: str = "bank-icbc-ly") -> str:
    body = {"bank_id": bank, "purpose": "loan application", "valid_until": (today_shanghai() + timedelta(days=30)).isoformat()}
    response = await client.post(f"/v1/enterprises/{uscc}/authorisations", json=body, headers=OFFICE)
    assert response.status_code == 201, response.text
    return response.json()["ref"]


async def test_bank_without_authorisation_gets_403_and_with_it_the_report(db_url, tmp_path):
    uscc = new_uscc()
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        url = f"/v1/enterprises/{uscc}/credit-report"
        denied = await client.get(url, params={"purpose": "loan"}, headers=ICBC)
        assert (denied.status_code, denied.json()["code"]) == (403, "AUTHORISATION_REQUIRED")
        ref = await _authorise(client, uscc)
        other_bank = await client.get(url, params={"purpose": "loan", "authorisation_ref": ref}, headers=CCB)
        assert (other_bank.status_code, other_bank.json()["code"]) == (403, "AUTHORISATION_INVALID")
        report = (await client.get(url, params={"purpose": "loan", "authorisation_ref": ref}, headers=ICBC)).json()
        assert report["enterprise"]["uscc"] == uscc
        assert report["rating"]["lends"] is True
        assert {c["source"] for c in report["coverage"]} == {"water", "tax"}
        assert report["commitment_letter"]["status"] == "none"
        log = (await client.get(f"/v1/enterprises/{uscc}/credit-queries", headers=OFFICE)).json()
        assert [(q["org_id"], q["authorisation_ref"]) for q in log] == [("bank-icbc-ly", ref)]


async def test_revoked_authorisation_stops_working(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        await push_demo(client, uscc)
        ref = await _authorise(client, uscc)
        assert (await client.post(f"/v1/authorisations/{ref}/revoke", headers=OFFICE)).status_code == 200
        response = await client.get(f"/v1/enterprises/{uscc}/credit-report", params={"purpose": "x", "authorisation_ref": ref}, headers=ICBC)
        assert response.status_code == 403


async def test_unrated_enterprise_has_no_report(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        await client.post("/v1/feeds/record", json=water(uscc, 1), headers=WATER)
        response = await client.get(f"/v1/enterprises/{uscc}/credit-report", params={"purpose": "check"}, headers=OFFICE)
        assert (response.status_code, response.json()["code"]) == (404, "REPORT_NOT_AVAILABLE")
        assert (await client.get(f"/v1/enterprises/{uscc}/credit-queries", headers=OFFICE)).json() == []


async def test_pdf_report_is_a_pdf_with_the_chinese_text_embedded(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        await push_demo(client, uscc)
        await client.put(f"/v1/enterprises/{uscc}/identity", json={"name": "凌源市示范机械有限公司", "legal_representative": "王明"}, headers=DEPT)
        response = await client.get(f"/v1/enterprises/{uscc}/credit-report.pdf", params={"purpose": "信用核查"}, headers=OFFICE)
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        path = tmp_path / "r.pdf"
        path.write_bytes(response.content)
        # The Chinese must come out as text, i.e. the font is embedded (pdftotext: tools/sysdeps.txt).
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "企业信用报告" in text and "凌源市示范机械有限公司" in text
        assert response.content.startswith(b"%PDF") and b"/FontFile" in response.content
        log = (await client.get("/v1/credit-queries", headers=OFFICE)).json()
        assert log[0]["format"] == "pdf" and log[0]["uscc"] == uscc


async def test_enterprise_with_its_token_authorises_a_bank_and_sees_who_looked(db_url, tmp_path):
    uscc, other = new_uscc(), new_uscc()
    mine, theirs = auth(Role.ENTERPRISE, uscc), auth(Role.ENTERPRISE, other)
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        body = {"bank_id": "bank-icbc-ly", "purpose": "贷款申请", "valid_until": (today_shanghai() + timedelta(days=10)).isoformat()}
        granted = await client.post("/v1/self/authorisations", json=body, headers=mine)
        assert granted.status_code == 201, granted.text
        ref = granted.json()["ref"]
        assert (granted.json()["uscc"], granted.json()["bank_id"]) == (uscc, "bank-icbc-ly")
        again = await client.post("/v1/self/authorisations", json=body, headers=mine)
        assert (again.status_code, again.json()["ref"]) == (200, ref)
        params = {"purpose": "贷款申请", "authorisation_ref": ref}
        assert (await client.get(f"/v1/enterprises/{uscc}/credit-report", params=params, headers=ICBC)).status_code == 200
        looked = (await client.get("/v1/self/credit-queries", headers=mine)).json()
        assert [(q["org_id"], q["authorisation_ref"]) for q in looked] == [("bank-icbc-ly", ref)]
        assert [a["ref"] for a in (await client.get("/v1/self/authorisations", headers=mine)).json()] == [ref]
        # Another enterprise's token sees only its own (empty) view.
        assert (await client.get("/v1/self/credit-queries", headers=theirs)).json() == []
        assert (await client.get("/v1/self/authorisations", headers=theirs)).json() == []


async def test_only_an_enterprise_token_opens_the_enterprise_view(sqlite_url, tmp_path):
    uscc = new_uscc()
    body = {"bank_id": "bank-icbc-ly", "purpose": "loan", "valid_until": (today_shanghai() + timedelta(days=10)).isoformat()}
    async with running(sqlite_url, tmp_path) as client:
        for path in ("/v1/self/credit-queries", "/v1/self/authorisations"):
            assert (await client.get(path)).status_code == 401
            for headers in (ICBC, OFFICE):
                response = await client.get(path, headers=headers)
                assert response.status_code == 403, (path, response.text)
        refused = await client.post("/v1/self/authorisations", json=body, headers=ICBC)  # a bank cannot authorise itself
        assert refused.status_code == 403
        # The stopgap key is gone: neither its route nor its header opens anything.
        assert (await client.post(f"/v1/enterprises/{uscc}/access-key", headers=OFFICE)).status_code == 404
        assert (await client.get("/v1/self/credit-queries", headers={"X-Enterprise-Key": "xydk_anything"})).status_code == 401
        assert (await client.get("/v1/self/authorisations", headers=auth(Role.ENTERPRISE, uscc))).json() == []


async def test_authorisations_given_before_grants_were_shared_are_announced_once_signed(db_url, tmp_path):
    """Claims hears of every still usable authorisation credit-data held before grants were published, once."""
    from alembic import command
    from sqlalchemy import Date, column, select, table

    from credit_data.app import spec
    from xinyidai_shared.clock import utcnow
    from xinyidai_shared.db import Database, UtcDateTime
    from xinyidai_shared.migrations import alembic_config
    from xinyidai_shared.testing import eventually

    uscc, today, now = new_uscc(), today_shanghai(), utcnow()
    before = table("report_authorisation", column("ref"), column("uscc"), column("bank_id"), column("purpose"),
                   column("valid_until", Date()), column("registered_by"), column("created_at", UtcDateTime()),
                   column("revoked_at", UtcDateTime()))  # the table as it was before announcements
    rows = [("AUTH-OLD-USABLE", today + timedelta(days=30), None), ("AUTH-OLD-REVOKED", today + timedelta(days=30), now),
            ("AUTH-OLD-EXPIRED", today - timedelta(days=1), None)]
    db = Database(db_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(spec.migrations, c), "a264d1a3d8da"))
            await conn.execute(before.insert(), [
                {"ref": ref, "uscc": uscc, "bank_id": "bank-icbc-ly", "purpose": "loan application", "valid_until": until,
                 "registered_by": "fgj-credit", "created_at": now, "revoked_at": revoked} for ref, until, revoked in rows])
    finally:
        await db.dispose()

    async with running(db_url, tmp_path) as client:
        async def announced() -> list:
            return await outbox_events(client, "CreditAuthorisationGranted")

        await eventually(announced)
        new_ref = await _authorise(client, uscc, "bank-ccb-ly")  # a grant from now on is published as it is given
    async with running(db_url, tmp_path) as again:  # a restart announces nothing twice
        async def announcer_done() -> bool:
            return again.app.state.runtime.supervisor.tasks["authorisation-announcer"].done()

        await eventually(announcer_done)
        events = await outbox_events(again, "CreditAuthorisationGranted")
        outbox = again.app.state.runtime.spec.tables.outbox
        async with again.app.state.runtime.db.read_session() as session:
            raw = (await session.execute(select(outbox.c.envelope).where(outbox.c.type == "CreditAuthorisationGranted"))).scalars()
            assert all('"signature"' in envelope for envelope in raw)  # claims refuses unsigned events
    assert [e.decode().ref for e in events] == ["AUTH-OLD-USABLE", new_ref]
