"""People's standing across services: rules two services must apply alike, and the flows that carry a
standing from one service to the next, checked by handing one service's real events to the other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from claims.adapters import calendar_repo, standing_repo
from claims.app import create_app as create_claims
from claims.config import Settings as ClaimsSettings
from credit_data.adapters.tables import messaging as credit_messaging
from credit_data.app import create_app as create_credit_data
from credit_data.config import Settings as CreditSettings
from credit_data.demo_feed import demo_batches
from credit_data.service_layer.dishonesty import expire_records
from whitelist.adapters import repository as whitelist_repo
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
OFFICE = auth(Role.CREDIT_OFFICE, "fgj-credit")
DOCUMENTS = {k: f"doc-{k}" for k in ("business_licence", "legal_person_certificate", "code_certificate",
                                      "articles_of_association", "tax_registration")}


def _whitelist(tmp_path, **settings):  # noqa: ANN001, ANN202 - a path, a FastAPI app
    # dev mode: the 0-day notice compresses time
    values = {"auth_secret": TEST_SECRET, "notice_working_days": 0, "log_json": False, "dev_mode": True} | settings
    return create_whitelist(WhitelistSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/whitelist.db", **values))


def _claims(tmp_path, **settings):  # noqa: ANN001, ANN202 - a path, a FastAPI app
    return create_claims(ClaimsSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/claims.db", auth_secret=TEST_SECRET,
                                        log_json=False, **settings))


async def _published(app, type_: str, outbox=credit_messaging.outbox) -> list:  # noqa: ANN001 - a FastAPI app, a table
    async with app.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(outbox.c.envelope).where(outbox.c.type == type_).order_by(outbox.c.seq))).scalars()
        return [Envelope.model_validate_json(row).decode() for row in rows]


async def _relay(source, target) -> int:  # noqa: ANN001 - two FastAPI apps
    """Hand every event ``source`` published that ``target`` consumes to ``target``, in order, each once.

    Events keep their ids, so the target's inbox skips those it has seen: calling this again is safe.
    """
    outbox, handled = source.state.runtime.spec.tables.outbox, target.state.runtime.spec.handlers
    async with source.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(outbox.c.envelope).order_by(outbox.c.seq))).scalars().all()
    applied = 0
    for envelope in map(Envelope.model_validate_json, rows):
        if envelope.type in handled:
            applied += await deliver(target, envelope.decode(), event_id=envelope.id)
    return applied


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


def _credit(tmp_path):  # noqa: ANN001, ANN202 - a path, a FastAPI app
    return create_credit_data(CreditSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/credit.db", auth_secret=TEST_SECRET,
                                             upload_dir=str(tmp_path / "up"), log_json=False))


async def _rated_listed_and_lent(credit, cd, whitelist, wl, claims, cl, uscc: str) -> str:  # noqa: ANN001
    """Grade A from real feeds, recommended by whitelist, known to claims, a covered loan registered; its id."""
    batches = demo_batches(uscc, today=today_shanghai())
    for org, source in (("water-ly", "water"), ("tax-ly", "tax")):
        headers = auth(Role.PROVIDER, org, sources=(source,))
        assert (await cd.post("/v1/feeds/batch", json={"records": batches[source]}, headers=headers)).status_code == 200
    await _relay(credit, whitelist)
    application = (await wl.post("/v1/applications", json=application_body(uscc), headers=DEPT)).json()
    await upload_all(wl, application["id"])
    for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
        assert (await wl.post(f"/v1/applications/{application['id']}/{path}", json={}, headers=headers)).status_code == 200
    await _relay(whitelist, claims)
    await _relay(credit, claims)
    bank = {"bank_id": "bank-agree", "name": "Bank", "admitted_on": "2026-01-01", "agreement_ref": "AG", "documents": DOCUMENTS}
    await cl.post("/v1/banks", json=bank, headers=auth(Role.LEADING_GROUP_OFFICE, "lg-office"))
    today = today_shanghai()
    loan = await cl.post("/v1/loans", headers=BANK, json={
        "bank_loan_no": f"AG-{uscc}", "uscc": uscc, "principal": "500000.00", "annual_rate": "3.5",
        "issued_on": today.isoformat(), "matures_on": (today + timedelta(days=365)).isoformat(),
        "purpose": "working capital", "purpose_category": "working_capital", "loan_type": "pure_credit",
        "through_platform": True, "first_loan": True})
    assert loan.status_code == 201 and loan.json()["covered"], loan.text
    await _relay(claims, credit)
    return loan.json()["loan_id"]


async def _whitelist_dishonesty(whitelist, uscc: str) -> tuple[str, ...]:  # noqa: ANN001 - a FastAPI app
    async with whitelist.state.runtime.db.read_session() as session:
        return (await whitelist_repo.credit_snapshot(session, uscc)).active_dishonesty


async def _member(wl, uscc: str) -> str:  # noqa: ANN001
    return (await wl.get(f"/v1/public/list/{uscc}")).json()["status"]


async def test_a_cured_loan_lifts_the_penalty_and_the_whitelist_may_restore_the_enterprise(tmp_path) -> None:  # noqa: ANN001
    """Invariant: a cure reaches credit-data (penalty lifted, grade recovers) and the whitelist's review can restore."""
    uscc, today = make_uscc("MA7CURED1"), today_shanghai().isoformat()
    credit, whitelist, claims = _credit(tmp_path), _whitelist(tmp_path), _claims(tmp_path)
    async with app_client(credit) as cd, app_client(whitelist) as wl, app_client(claims) as cl:
        loan_id = await _rated_listed_and_lent(credit, cd, whitelist, wl, claims, cl, uscc)
        overdue = {"days_past_due": 40, "overdue_principal": "20000.00", "as_of": today}
        assert (await cl.post(f"/v1/loans/{loan_id}/overdue", json=overdue, headers=BANK)).status_code == 200
        await _relay(claims, credit)
        await _relay(credit, whitelist)
        assert (await cd.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["lends"] is False
        assert await _member(wl, uscc) == "suspended"

        cure = {"days_past_due": 0, "overdue_principal": "0.00", "as_of": today}
        assert (await cl.post(f"/v1/loans/{loan_id}/overdue", json=cure, headers=BANK)).status_code == 200
        assert await _relay(claims, credit) == 1  # LoanCured
        assert (await cd.get(f"/v1/enterprises/{uscc}/rating", headers=OFFICE)).json()["lends"] is True
        await _relay(credit, whitelist)
        (review,) = (await wl.get("/v1/reviews", headers=OFFICE)).json()
        kept = await wl.post(f"/v1/reviews/{review['id']}/decision", headers=OFFICE,
                             json={"decision": "keep", "reason": "arrears paid; rating back to A"})
        assert kept.status_code == 200, kept.text  # no override needed: the credit verdict passes again
        assert await _member(wl, uscc) == "listed"


async def test_a_malicious_default_report_waits_for_the_credit_office_before_any_service_acts_on_it(tmp_path) -> None:  # noqa: ANN001
    """Invariant: a bank's report alone changes no one's standing anywhere; the office's confirmation does."""
    uscc, today = make_uscc("MA7DEFAU1"), today_shanghai().isoformat()
    credit, whitelist, claims = _credit(tmp_path), _whitelist(tmp_path), _claims(tmp_path)
    async with app_client(credit) as cd, app_client(whitelist) as wl, app_client(claims) as cl:
        loan_id = await _rated_listed_and_lent(credit, cd, whitelist, wl, claims, cl, uscc)
        report = {"detail": "moved its stock to a related company", "reported_on": today}
        current = await cl.post(f"/v1/loans/{loan_id}/malicious-default", json=report, headers=BANK)
        assert (current.status_code, current.json()["code"]) == (422, "MALICIOUS_DEFAULT_NOT_OVERDUE")
        await cl.post(f"/v1/loans/{loan_id}/overdue", headers=BANK,
                      json={"days_past_due": 95, "overdue_principal": "500000.00", "as_of": today})
        assert (await cl.post(f"/v1/loans/{loan_id}/malicious-default", json=report, headers=BANK)).status_code == 200
        await _relay(claims, credit)
        await _relay(credit, whitelist)
        (held,) = (await cd.get("/v1/default-reports", params={"uscc": uscc}, headers=OFFICE)).json()
        assert held["status"] == "pending" and held["days_past_due"] == 95
        assert uscc not in {r["uscc"] for r in (await cd.get("/v1/public/dishonesty-records")).json()}
        assert (await _whitelist_dishonesty(whitelist, uscc)) == ()

        confirmed = await cd.post(f"/v1/default-reports/{held['report_id']}/confirm", headers=OFFICE,
                                  json={"reason": "bank's evidence verified with the market regulator"})
        assert confirmed.json()["status"] == "confirmed"
        await _relay(credit, whitelist)
        await _relay(credit, claims)
        assert (await _whitelist_dishonesty(whitelist, uscc)) == (f"loan:{loan_id}",)
        async with claims.state.runtime.db.read_session() as session:
            history = await standing_repo.history(session, uscc)
        assert history.standing_on(today_shanghai()).dishonesty_ids == (f"loan:{loan_id}",)


async def test_the_enterprises_authorisation_in_credit_data_is_what_lets_a_bank_read_its_standing_in_claims(tmp_path) -> None:  # noqa: ANN001
    """Invariant: one consent rule; granting and withdrawing it in credit-data holds in claims too."""
    uscc = make_uscc("MA7C0NAE1")
    credit, claims = _credit(tmp_path), _claims(tmp_path)
    async with app_client(credit) as cd, app_client(claims) as cl:
        until = (today_shanghai() + timedelta(days=30)).isoformat()
        grant = await cd.post("/v1/self/authorisations", headers=auth(Role.ENTERPRISE, uscc),
                              json={"bank_id": "bank-agree", "purpose": "loan application", "valid_until": until})
        ref = grant.json()["ref"]
        ask = {"purpose": "loan application", "authorisation_ref": ref}
        before = await cl.get(f"/v1/enterprises/{uscc}/standing", params=ask, headers=BANK)
        assert before.status_code == 403  # claims has not heard of it yet
        await _relay(credit, claims)
        assert (await cl.get(f"/v1/enterprises/{uscc}/standing", params=ask, headers=BANK)).status_code == 200
        await cd.post(f"/v1/authorisations/{ref}/revoke", headers=OFFICE)
        await _relay(credit, claims)
        withdrawn = await cl.get(f"/v1/enterprises/{uscc}/standing", params=ask, headers=BANK)
        assert (withdrawn.status_code, withdrawn.json()["code"]) == (403, "AUTHORISATION_INVALID")
        looked = (await cl.get("/v1/self/standing-queries", headers=auth(Role.ENTERPRISE, uscc))).json()
        assert [(q["org_id"], q["authorisation_ref"]) for q in looked] == [("bank-agree", ref)]
