"""A bank's malicious-default report is a report: the credit office reviews it before anything is public,
and the enterprise sees it and may dispute it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.dishonesty import expiry_after_years
from xinyidai_shared.events import LoanDefaultedMaliciously
from xinyidai_shared.testing import auth, deliver

from .helpers import CCB, DEPT, ICBC, OFFICE, new_uscc, outbox_events, push_demo, running

pytestmark = pytest.mark.asyncio


def report(uscc: str, loan_id: str | None = None) -> LoanDefaultedMaliciously:
    return LoanDefaultedMaliciously(loan_id=loan_id or f"L-{uuid.uuid4().hex[:8]}", bank_id="bank-icbc-ly", uscc=uscc,
                                    detail="transferred its stock to a related company", reported_on=date(2026, 11, 2),
                                    days_past_due=95, category="substandard", outstanding_fen=80_000_000)


def enterprise(uscc: str) -> dict[str, str]:
    return auth("enterprise", uscc)


async def _public(client) -> set[str]:  # noqa: ANN001
    return {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}


async def test_nothing_is_public_until_the_credit_office_confirms_after_hearing_the_enterprises_dispute(db_url, tmp_path):
    """Invariant: no bank alone puts an enterprise on the public dishonesty list."""
    uscc = new_uscc()
    async with running(db_url, tmp_path) as client:
        await push_demo(client, uscc)
        grade = (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["grade"]
        await deliver(client.app, report(uscc))
        (held,) = (await client.get("/v1/default-reports", params={"status": "pending"}, headers=OFFICE)).json()
        assert (held["uscc"], held["status"], held["days_past_due"], held["outstanding"]) == (uscc, "pending", 95, "800000.00")
        assert uscc not in await _public(client) and await outbox_events(client, "DishonestyRecorded", uscc) == []
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["grade"] == grade
        assert [r["report_id"] for r in (await client.get("/v1/default-reports", headers=ICBC)).json()] == [held["report_id"]]
        assert (await client.get("/v1/default-reports", headers=CCB)).json() == []

        mine = (await client.get("/v1/self/default-reports", headers=enterprise(uscc))).json()
        assert [r["report_id"] for r in mine] == [held["report_id"]]
        url = f"/v1/self/default-reports/{held['report_id']}/disputes"
        dispute = await client.post(url, json={"text": "the transfer was a sale at market price; contract attached"},
                                    headers=enterprise(uscc))
        assert dispute.status_code == 201 and dispute.json()["status"] == "open"
        again = await client.post(url, json={"text": "again"}, headers=enterprise(uscc))
        assert (again.status_code, again.json()["code"]) == (409, "DISPUTE_OPEN")
        stranger = await client.post(url, json={"text": "not mine"}, headers=enterprise(new_uscc()))
        assert stranger.status_code == 404

        confirm = f"/v1/default-reports/{held['report_id']}/confirm"
        for caller in (ICBC, DEPT):
            assert (await client.post(confirm, json={"reason": "x"}, headers=caller)).status_code == 403
        blocked = await client.post(confirm, json={"reason": "bank's evidence holds"}, headers=OFFICE)
        assert (blocked.status_code, blocked.json()["code"]) == (409, "DISPUTE_PENDING")
        decision = f"/v1/default-report-disputes/{dispute.json()['dispute_id']}/decision"
        dismissed = await client.post(decision, json={"uphold": False, "reason": "the price was a tenth of book value"},
                                      headers=OFFICE)
        assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
        confirmed = await client.post(confirm, json={"reason": "valuation report shows a sale at 10% of value"}, headers=OFFICE)
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed", confirmed.text
        assert confirmed.json()["decided_by"] == "fgj-credit"

        today = today_shanghai()
        (published,) = await outbox_events(client, "DishonestyRecorded", uscc)
        assert (published.payload["started_on"], published.payload["expires_on"]) == (
            today.isoformat(), expiry_after_years(today, 5).isoformat())
        assert uscc in await _public(client)
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["grade"] in {"C", "D"}
        twice = await client.post(confirm, json={"reason": "again"}, headers=OFFICE)
        assert (twice.status_code, twice.json()["code"]) == (409, "REPORT_DECIDED")


async def test_an_upheld_dispute_annuls_a_confirmed_record_and_a_rejected_report_is_never_public(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path) as client:
        await push_demo(client, uscc)
        await deliver(client.app, report(uscc))
        (held,) = (await client.get("/v1/self/default-reports", headers=enterprise(uscc))).json()
        await client.post(f"/v1/default-reports/{held['report_id']}/confirm", json={"reason": "evidence holds"}, headers=OFFICE)
        dispute = (await client.post(f"/v1/self/default-reports/{held['report_id']}/disputes",
                                     json={"text": "court ruling of 2026-11-20 found no transfer"}, headers=enterprise(uscc))).json()
        upheld = await client.post(f"/v1/default-report-disputes/{dispute['dispute_id']}/decision",
                                   json={"uphold": True, "reason": "court ruling verified"}, headers=OFFICE)
        assert upheld.json()["status"] == "upheld"
        (annulled,) = (await client.get("/v1/self/default-reports", headers=enterprise(uscc))).json()
        assert annulled["status"] == "annulled" and annulled["disputes"][0]["status"] == "upheld"
        (removed,) = await outbox_events(client, "DishonestyRemoved", uscc)
        assert removed.payload["removed_on"] == today_shanghai().isoformat()  # void from its first day
        assert uscc not in await _public(client)
        assert (await client.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["lends"] is True

        await deliver(client.app, report(uscc))
        pending = [r for r in (await client.get("/v1/self/default-reports", headers=enterprise(uscc))).json()
                   if r["status"] == "pending"]
        rejected = await client.post(f"/v1/default-reports/{pending[0]['report_id']}/reject",
                                     json={"reason": "the loan was restructured by agreement"}, headers=OFFICE)
        assert rejected.json()["status"] == "rejected"
        assert len(await outbox_events(client, "DishonestyRecorded", uscc)) == 1 and uscc not in await _public(client)
        late = await client.post(f"/v1/self/default-reports/{pending[0]['report_id']}/disputes", json={"text": "x"},
                                 headers=enterprise(uscc))
        assert (late.status_code, late.json()["code"]) == (409, "REPORT_NOT_DISPUTABLE")


async def test_a_reported_loan_is_held_once(sqlite_url, tmp_path):
    uscc, loan_id = new_uscc(), f"L-{uuid.uuid4().hex[:8]}"
    async with running(sqlite_url, tmp_path) as client:
        await deliver(client.app, report(uscc, loan_id))
        await deliver(client.app, report(uscc, loan_id))  # republished under a new event id
        assert len((await client.get("/v1/default-reports", params={"uscc": uscc}, headers=OFFICE)).json()) == 1


async def test_records_published_before_review_existed_join_the_queue_and_rejecting_one_takes_it_off_the_list(
    sqlite_url, tmp_path
):
    from alembic import command
    from sqlalchemy import text

    from credit_data.app import spec
    from xinyidai_shared.db import Database
    from xinyidai_shared.migrations import alembic_config

    uscc = new_uscc()
    db = Database(sqlite_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(alembic_config(spec.migrations, c), "d26c3015a414"))
        await conn.execute(text(
            "INSERT INTO dishonesty_record (record_id, uscc, recorded_by, kind, reason, started_on, expires_on, recorded_at) "
            f"VALUES ('loan:L-OLD-1', '{uscc}', 'bank-icbc-ly', 'bank_default', 'malicious default', '2026-10-01', "
            "'2031-10-02', '2026-10-01 02:00:00')"))
    await db.dispose()
    async with running(sqlite_url, tmp_path) as client:
        assert uscc in await _public(client)
        (legacy,) = (await client.get("/v1/default-reports", params={"uscc": uscc}, headers=OFFICE)).json()
        assert (legacy["status"], legacy["loan_id"], legacy["record_id"]) == ("pending", "L-OLD-1", "loan:L-OLD-1")
        await client.post(f"/v1/default-reports/{legacy['report_id']}/reject", json={"reason": "never reviewed; no evidence"},
                          headers=OFFICE)
        assert uscc not in await _public(client)
        (removed,) = await outbox_events(client, "DishonestyRemoved", uscc)
        assert removed.payload["removed_on"] == "2026-10-01"
