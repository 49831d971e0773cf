"""Rules two services must apply alike, checked by handing one service's real events to the other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from claims.adapters import calendar_repo, standing_repo
from claims.app import create_app as create_claims
from claims.config import Settings as ClaimsSettings
from credit_data.adapters.tables import messaging as credit_messaging
from credit_data.app import create_app as create_credit_data
from credit_data.config import Settings as CreditSettings
from credit_data.service_layer.dishonesty import expire_records
from whitelist.adapters.tables import messaging as whitelist_messaging
from whitelist.app import create_app as create_whitelist
from whitelist.config import Settings as WhitelistSettings
from whitelist.testing import CREDIT, DEPT, LG, Clock, application_body, rating, upload_all
from xinyidai_shared.auth import Role
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.events import Envelope
from xinyidai_shared.testing import TEST_SECRET, app_client, auth, deliver
from xinyidai_shared.uscc import make_uscc

BANK = auth(Role.BANK, "bank-agree")
DOCUMENTS = {k: f"doc-{k}" for k in ("business_licence", "legal_person_certificate", "code_certificate",
                                      "articles_of_association", "tax_registration")}


def _claims(tmp_path, **settings):  # noqa: ANN001, ANN202 - a path, a FastAPI app
    return create_claims(ClaimsSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/claims.db", auth_secret=TEST_SECRET,
                                        log_json=False, **settings))


async def _published(app, type_: str, outbox=credit_messaging.outbox) -> list:  # noqa: ANN001 - a FastAPI app, a table
    async with app.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(outbox.c.envelope).where(outbox.c.type == type_).order_by(outbox.c.seq))).scalars()
        return [Envelope.model_validate_json(row).decode() for row in rows]


async def test_claims_and_credit_data_agree_on_the_last_day_of_a_dishonesty_record(tmp_path) -> None:  # noqa: ANN001
    """Invariant: on its expiry date a record binds in both services; from the next day in neither."""
    uscc, today = make_uscc("MA7EXP1RY"), today_shanghai()
    credit = create_credit_data(CreditSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/credit.db", auth_secret=TEST_SECRET,
                                               upload_dir=str(tmp_path / "up"), log_json=False))
    claims = _claims(tmp_path)
    async with app_client(credit) as client, app_client(claims):
        body = {"uscc": uscc, "reference": "R-1", "reason": "拒不履行", "started_on": (today - timedelta(days=30)).isoformat(),
                "expires_on": today.isoformat()}
        assert (await client.post("/v1/dishonesty-records", json=body, headers=auth(Role.DEPARTMENT, "dept-a"))).status_code == 201
        assert uscc in {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}
        assert await expire_records(credit.state.runtime, today=today + timedelta(days=1), now=utcnow()) == 1
        for event in await _published(credit, "DishonestyRecorded") + await _published(credit, "DishonestyRemoved"):
            await deliver(claims, event)
        async with claims.state.runtime.db.read_session() as session:
            history = await standing_repo.history(session, uscc)
        assert history.standing_on(today).dishonesty_ids == ("dept-a:R-1",)
        assert history.standing_on(today + timedelta(days=1)).dishonesty_ids == ()


async def test_an_outside_city_enterprise_the_whitelist_accepted_gets_covered_loans_in_claims(tmp_path) -> None:  # noqa: ANN001
    """Invariant: the screening officer's accepted art.9 exception reaches claims' eligibility verdict."""
    uscc, today = make_uscc("MA7M0AED1", division="211302"), today_shanghai()
    whitelist = create_whitelist(WhitelistSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/whitelist.db",
                                                   auth_secret=TEST_SECRET, notice_working_days=0, log_json=False,
                                                   dev_mode=True))  # dev mode: the 0-day notice compresses time
    claims = _claims(tmp_path)
    async with app_client(whitelist) as wl, app_client(claims) as cl:
        application = (await wl.post("/v1/applications", json=application_body(uscc), headers=DEPT)).json()
        await upload_all(wl, application["id"])
        moved_in = {"accept_flags": ["DIVISION_OUTSIDE_CITY"], "reason": "operates in Lingyuan since 2024 (lease, tax)"}
        assert (await wl.post(f"/v1/applications/{application['id']}/screen", json=moved_in, headers=DEPT)).status_code == 200
        grade = rating(uscc, at=utcnow() - timedelta(days=3))
        await deliver(whitelist, grade)
        for path, headers in (("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
            assert (await wl.post(f"/v1/applications/{application['id']}/{path}", json={}, headers=headers)).status_code == 200
        (recommended,) = await _published(whitelist, "EnterpriseRecommended", whitelist_messaging.outbox)
        for event in (recommended, grade):
            await deliver(claims, event)
        bank = {"bank_id": "bank-agree", "name": "Bank", "admitted_on": "2026-01-01", "agreement_ref": "AG", "documents": DOCUMENTS}
        assert (await cl.post("/v1/banks", json=bank, headers=auth(Role.LEADING_GROUP_OFFICE, "lg-office"))).status_code == 201
        loan = await cl.post("/v1/loans", headers=BANK, json={
            "bank_loan_no": "AG-1", "uscc": uscc, "principal": "500000.00", "annual_rate": "3.5",
            "issued_on": today.isoformat(), "matures_on": (today + timedelta(days=365)).isoformat(),
            "purpose": "working capital", "purpose_category": "working_capital", "loan_type": "pure_credit",
            "through_platform": True, "first_loan": True})
        assert loan.status_code == 201, loan.text
        rule = {r["rule"]: r for r in loan.json()["eligibility"]}["REGISTERED_IN_CITY"]
        assert rule["passed"] and loan.json()["covered"], loan.json()["eligibility"]


async def test_whitelist_and_claims_notices_count_the_same_working_days_across_new_year_2027(tmp_path) -> None:  # noqa: ANN001
    """Invariant: one officer-maintained calendar; both notices of 5 working days from 2026-12-28 end 2027-01-04."""
    clock = Clock(datetime(2026, 12, 28, 1, tzinfo=UTC))
    whitelist = create_whitelist(WhitelistSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/whitelist.db",
                                                   auth_secret=TEST_SECRET, notice_working_days=5, log_json=False), clock=clock)
    claims = _claims(tmp_path, notice_working_days=5)
    async with app_client(whitelist) as wl, app_client(claims):
        application = (await wl.post("/v1/applications", json=application_body(), headers=DEPT)).json()
        await upload_all(wl, application["id"])
        await deliver(whitelist, rating(application["uscc"]))
        for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG)):
            noticed = await wl.post(f"/v1/applications/{application['id']}/{path}", json={}, headers=headers)
        assert noticed.json()["notice"]["ends_on"] == "2027-01-01"  # 2027 unknown to the package: weekdays
        put = await wl.put("/v1/calendar/overrides/2027-01-01", json={"working": False, "note": "元旦"}, headers=LG)
        assert put.status_code == 200
        for event in await _published(whitelist, "WorkingCalendarChanged", whitelist_messaging.outbox):
            await deliver(claims, event)
        whitelist_end = (await wl.get(f"/v1/applications/{application['id']}", headers=LG)).json()["notice"]["ends_on"]
        async with claims.state.runtime.db.read_session() as session:
            claims_end = claims.state.deps.notice_end(date(2026, 12, 28), await calendar_repo.overrides(session))
        assert whitelist_end == claims_end.isoformat() == "2027-01-04"
