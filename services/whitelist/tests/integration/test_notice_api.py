"""Public notice in working days, objections (public, limited), upheld and dismissed, conclusion."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from whitelist.app import create_app
from whitelist.testing import CREDIT, DEPT, LG, Clock, application_body, deliver, rating, upload_all
from xinyidai_shared.testing import app_client


async def _to_notice(client: httpx.AsyncClient) -> dict:
    created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
    await upload_all(client, created["id"])
    await deliver(client._transport.app, rating(created["uscc"]))  # type: ignore[attr-defined]
    for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG)):
        response = await client.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)
        assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def five_day(settings_for):
    """A client factory on a 5-working-day notice with the clock at a given Shanghai morning."""

    def build(at: datetime, **overrides):
        clock = Clock(at)
        app = create_app(settings_for(notice_working_days=5, **overrides), clock=clock)
        return app_client(app), clock

    return build


async def test_notice_opened_before_national_day_2026_runs_past_the_golden_week(five_day) -> None:
    ctx, clock = five_day(datetime(2026, 9, 29, 1, 0, tzinfo=UTC))
    async with ctx as client:
        noticed = await _to_notice(client)
        assert noticed["status"] == "in_notice"
        assert noticed["notice"] == {"starts_on": "2026-09-29", "ends_on": "2026-10-10", "working_days": 5}
        public = (await client.get("/v1/public/notices")).json()
        assert [n["application_id"] for n in public] == [noticed["id"]]
        clock.at = datetime(2026, 10, 10, 8, 0, tzinfo=UTC)  # the make-up Saturday: still running
        early = await client.post(f"/v1/applications/{noticed['id']}/conclude", json={}, headers=LG)
        assert early.status_code == 409 and early.json()["code"] == "NOTICE_RUNNING"
        clock.at = datetime(2026, 10, 11, 1, 0, tzinfo=UTC)
        done = await client.post(f"/v1/applications/{noticed['id']}/conclude", json={}, headers=LG)
        assert done.status_code == 200 and done.json()["status"] == "recommended"
        assert (await client.get("/v1/public/notices")).json() == []


async def test_notice_opened_late_december_2026_crosses_into_2027_and_follows_the_override_table(five_day) -> None:
    ctx, clock = five_day(datetime(2026, 12, 28, 1, 0, tzinfo=UTC))
    async with ctx as client:
        noticed = await _to_notice(client)
        assert noticed["notice"]["ends_on"] == "2027-01-01"  # weekday fallback: 2027 is unknown to the package
        put = await client.put("/v1/calendar/overrides/2027-01-01", json={"working": False, "note": "元旦"}, headers=LG)
        assert put.status_code == 200
        after = (await client.get(f"/v1/applications/{noticed['id']}", headers=LG)).json()
        assert after["notice"]["ends_on"] == "2027-01-04"
        overrides = (await client.get("/v1/public/calendar/overrides")).json()
        assert overrides[0]["day"] == "2027-01-01" and overrides[0]["working"] is False


async def test_upheld_objection_rejects_the_application_with_the_reason(api) -> None:
    noticed = await _to_notice(api)
    filed = await api.post(f"/v1/public/notices/{noticed['id']}/objections",
                           json={"text": "该企业拖欠职工工资三个月", "contact": "13800000000"})
    assert filed.status_code == 201 and filed.json()["status"] == "pending"
    blocked = await api.post(f"/v1/applications/{noticed['id']}/conclude", json={}, headers=LG)
    assert blocked.status_code == 409 and blocked.json()["code"] == "OBJECTIONS_PENDING"
    wrong_role = await api.post(f"/v1/objections/{filed.json()['id']}/decision", json={"uphold": True}, headers=CREDIT)
    assert wrong_role.status_code == 403
    upheld = await api.post(f"/v1/objections/{filed.json()['id']}/decision",
                            json={"uphold": True, "reason": "wage arrears confirmed by HRSS"}, headers=LG)
    assert upheld.status_code == 200 and upheld.json()["status"] == "upheld"
    app = (await api.get(f"/v1/applications/{noticed['id']}", headers=LG)).json()
    assert app["status"] == "rejected"
    assert "wage arrears confirmed" in app["transitions"][-1]["reason"]
    assert (await api.get("/v1/public/list")).json() == []
    twice = await api.post(f"/v1/objections/{filed.json()['id']}/decision", json={"uphold": False}, headers=LG)
    assert twice.status_code == 409


async def test_dismissed_objection_lets_the_notice_conclude(api) -> None:
    noticed = await _to_notice(api)
    filed = (await api.post(f"/v1/public/notices/{noticed['id']}/objections", json={"text": "同名企业?"})).json()
    await api.post(f"/v1/objections/{filed['id']}/decision", json={"uphold": False, "reason": "different firm"}, headers=LG)
    listed = await api.get(f"/v1/applications/{noticed['id']}/objections", headers=LG)
    assert listed.json()[0]["status"] == "dismissed" and listed.json()[0]["decided_by"] == "lg-office"
    done = await api.post(f"/v1/applications/{noticed['id']}/conclude", json={}, headers=LG)
    assert done.json()["status"] == "recommended"


async def test_objection_to_an_application_not_under_notice_is_404(api, to_state) -> None:
    screened = await to_state("screened")
    response = await api.post(f"/v1/public/notices/{screened['id']}/objections", json={"text": "x"})
    assert response.status_code == 404 and response.json()["code"] == "NOTICE_NOT_FOUND"


async def test_objection_after_the_last_notice_day_is_refused(five_day) -> None:
    ctx, clock = five_day(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    async with ctx as client:
        noticed = await _to_notice(client)
        clock.at = datetime(2026, 11, 9, 1, 0, tzinfo=UTC)  # 5 working days were 11-02..11-06
        late = await client.post(f"/v1/public/notices/{noticed['id']}/objections", json={"text": "late"})
        assert late.status_code == 409 and late.json()["code"] == "NOTICE_CLOSED"


async def test_objections_are_limited_in_size_and_rate(settings_for, clock) -> None:
    app = create_app(settings_for(objection_rate_limit=3, objection_max_body_bytes=512), clock=clock)
    async with app_client(app) as client:
        noticed = await _to_notice(client)
        url = f"/v1/public/notices/{noticed['id']}/objections"
        huge = await client.post(url, content=b'{"text": "' + b"x" * 600 + b'"}',
                                 headers={"content-type": "application/json"})
        assert huge.status_code == 413 and huge.json()["code"] == "OBJECTION_TOO_LARGE"
        bad = await client.post(url, json={"text": ""})
        assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION_FAILED"
        third = await client.post(url, json={"text": "third try"})
        assert third.status_code == 201
        limited = await client.post(url, json={"text": "fourth try"})
        assert limited.status_code == 429 and limited.json()["code"] == "RATE_LIMITED"
        assert 1 <= int(limited.headers["retry-after"]) <= 2 * 60  # sliding: this window fades through the next
        stored = await client.get(f"/v1/applications/{noticed['id']}/objections", headers=LG)
        assert [o["text"] for o in stored.json()] == ["third try"]


async def test_rating_drop_during_the_notice_blocks_conclusion_until_the_office_rejects(api) -> None:
    noticed = await _to_notice(api)
    await deliver(api.app, rating(noticed["uscc"], "B"))
    blocked = await api.post(f"/v1/applications/{noticed['id']}/conclude", json={}, headers=LG)
    assert blocked.status_code == 422 and blocked.json()["code"] == "CREDIT_CHECK_FAILED"
    rejected = await api.post(f"/v1/applications/{noticed['id']}/reject", json={"reason": "rating fell to B"}, headers=LG)
    assert rejected.json()["status"] == "rejected"
