"""The application workflow through the HTTP API on a real SQLite database (no broker)."""

from __future__ import annotations

import hashlib
import json

import httpx
from sqlalchemy import select

from whitelist.testing import CREDIT, DEPT, LG, application_body, deliver, new_uscc, rating, upload_all
from xinyidai_shared.testing import auth


async def _outbox(api: httpx.AsyncClient) -> list[dict]:
    runtime = api.app.state.runtime  # type: ignore[attr-defined]
    outbox = runtime.spec.tables.outbox
    async with runtime.db.read_session() as session:
        rows = (await session.execute(select(outbox.c.type, outbox.c.envelope).order_by(outbox.c.seq))).all()
    return [{"type": r.type, **json.loads(r.envelope)} for r in rows]


async def test_department_application_walks_to_recommended_and_publishes_enterprise_recommended(api, to_state) -> None:
    recommended = await to_state("recommended")
    assert recommended["status"] == "recommended"
    assert [t["to_status"] for t in recommended["transitions"]] == [
        "submitted", "screened", "credit_checked", "reviewed", "in_notice", "recommended"]
    assert [t["actor"] for t in recommended["transitions"]][1:] == [
        "dept-industry", "fgj-credit", "lg-office", "lg-office", "lg-office"]
    events = [e for e in await _outbox(api) if e["type"] == "EnterpriseRecommended"]
    assert len(events) == 1 and events[0]["key"] == recommended["uscc"]
    assert events[0]["payload"]["sme_size"] == "small" and events[0]["payload"]["industry_code"] == "C1391"
    listed = (await api.get("/v1/public/list")).json()
    assert [m["uscc"] for m in listed] == [recommended["uscc"]]


async def test_money_is_exact_decimal_text_and_the_sme_size_is_classified(api) -> None:
    response = await api.post("/v1/applications", json=application_body(revenue="20000000.01", employees=300), headers=DEPT)
    assert response.status_code == 201
    assert response.json()["revenue"] == "20000000.01"
    assert response.json()["sme_size"] == "medium"
    number = await api.post("/v1/applications", json=application_body(revenue=5000000), headers=DEPT)
    assert number.status_code == 422 and number.headers["content-type"] == "application/problem+json"


async def test_large_enterprise_is_refused_with_its_reason_and_nothing_is_stored(api) -> None:
    uscc = new_uscc()
    body = application_body(uscc, employees=1000, revenue="400000000.00")
    response = await api.post("/v1/applications", json=body, headers=DEPT)
    assert response.status_code == 422
    assert response.json()["code"] == "NOT_SME" and "employees ≥ 1000" in response.json()["detail"]
    listed = await api.get("/v1/applications", params={"uscc": uscc}, headers=DEPT)
    assert listed.json() == []


async def test_bad_uscc_check_character_is_a_400_problem(api) -> None:
    uscc = new_uscc()
    bad = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    response = await api.post("/v1/applications", json=application_body(bad), headers=DEPT)
    assert response.status_code == 400 and response.json()["code"] == "USCC_INVALID"


async def test_code_registered_outside_the_city_is_flagged_for_screening(api) -> None:
    response = await api.post("/v1/applications", json=application_body(new_uscc("211302")), headers=DEPT)
    assert response.status_code == 201 and response.json()["flags"] == ["DIVISION_OUTSIDE_CITY"]


async def test_an_accepted_outside_city_flag_needs_a_reason_and_travels_with_the_recommendation(api) -> None:
    """Invariant: an art.9 exception a screening officer accepted reaches claims in EnterpriseRecommended (v2)."""
    created = (await api.post("/v1/applications", json=application_body(new_uscc("211302")), headers=DEPT)).json()
    await upload_all(api, created["id"])
    screen = f"/v1/applications/{created['id']}/screen"
    silent = await api.post(screen, json={}, headers=DEPT)
    assert (silent.status_code, silent.json()["code"], silent.json()["flags"]) == (422, "FLAGS_NOT_ACCEPTED", ["DIVISION_OUTSIDE_CITY"])
    no_reason = await api.post(screen, json={"accept_flags": ["DIVISION_OUTSIDE_CITY"]}, headers=DEPT)
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "REASON_REQUIRED")
    unknown = await api.post(screen, json={"accept_flags": ["NOT_SME"], "reason": "x"}, headers=DEPT)
    assert (unknown.status_code, unknown.json()["code"]) == (400, "FLAG_NOT_RAISED")
    accepted = await api.post(screen, headers=DEPT, json={
        "accept_flags": ["DIVISION_OUTSIDE_CITY"], "reason": "registered in Chaoyang; moved to Lingyuan in 2024 (lease, tax records)"})
    assert accepted.status_code == 200 and accepted.json()["accepted_flags"] == ["DIVISION_OUTSIDE_CITY"]
    await deliver(api.app, rating(created["uscc"]))
    for path, headers in (("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
        assert (await api.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)).status_code == 200
    (event,) = [e for e in await _outbox(api) if e["type"] == "EnterpriseRecommended"]
    assert (event["version"], event["payload"]["accepted_exceptions"]) == (2, ["DIVISION_OUTSIDE_CITY"])
    review_only = await api.post(f"/v1/applications/{created['id']}/conclude", json={"accept_flags": []}, headers=LG)
    assert review_only.status_code == 422  # accepting flags is the screening step's business alone


async def test_second_open_application_for_the_same_enterprise_is_a_conflict(api) -> None:
    body = application_body()
    first = await api.post("/v1/applications", json=body, headers=DEPT)
    second = await api.post("/v1/applications", json=body, headers=DEPT)
    assert second.status_code == 409
    assert second.json()["code"] == "APPLICATION_OPEN" and second.json()["application_id"] == first.json()["id"]


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(api) -> None:
    body = application_body()
    headers = {**DEPT, "Idempotency-Key": "apply-1"}
    first = await api.post("/v1/applications", json=body, headers=headers)
    again = await api.post("/v1/applications", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = await api.post("/v1/applications", json=application_body(), headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_screening_refuses_an_incomplete_application_and_lists_what_is_missing(api, to_state) -> None:
    created = await to_state("submitted")
    response = await api.post(f"/v1/applications/{created['id']}/screen", json={}, headers=DEPT)
    assert response.status_code == 422 and response.json()["code"] == "MATERIALS_INCOMPLETE"
    assert response.json()["missing"] == ["business_licence", "operations", "tax_proof", "credit_report", "loan_request"]
    state = await api.get(f"/v1/applications/{created['id']}", headers=DEPT)
    assert state.json()["status"] == "submitted"


async def test_step_out_of_order_is_409_with_the_current_state(api, to_state) -> None:
    created = await to_state("submitted")
    response = await api.post(f"/v1/applications/{created['id']}/review", json={}, headers=LG)
    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_TRANSITION" and response.json()["current_state"] == "submitted"


async def test_step_by_the_wrong_role_is_403_and_without_credential_401(api, to_state) -> None:
    created = await to_state("submitted")
    assert (await api.post(f"/v1/applications/{created['id']}/screen", json={}, headers=CREDIT)).status_code == 403
    assert (await api.post(f"/v1/applications/{created['id']}/screen", json={})).status_code == 401
    bank = auth("bank", "bank-icbc-ly")
    assert (await api.get(f"/v1/applications/{created['id']}", headers=bank)).status_code == 403


async def test_credit_check_is_refused_on_a_failing_verdict_unless_overridden_with_a_reason(api, to_state) -> None:
    screened = await to_state("screened")
    await deliver(api.app, rating(screened["uscc"], "B"))
    url = f"/v1/applications/{screened['id']}/credit-check"
    refused = await api.post(url, json={}, headers=CREDIT)
    assert refused.status_code == 422 and refused.json()["reason_codes"] == ["RATING_BELOW_A"]
    no_reason = await api.post(url, json={"override": True}, headers=CREDIT)
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "OVERRIDE_REASON_REQUIRED"
    forced = await api.post(url, json={"override": True, "reason": "rating dated; bank statements fine"}, headers=CREDIT)
    assert forced.status_code == 200 and forced.json()["credit_override"] is True


async def test_rejection_needs_a_reason_and_closes_the_application(api, to_state) -> None:
    screened = await to_state("screened")
    url = f"/v1/applications/{screened['id']}/reject"
    assert (await api.post(url, json={"reason": ""}, headers=CREDIT)).status_code == 422
    assert (await api.post(url, json={"reason": "x"}, headers=DEPT)).status_code == 403
    rejected = await api.post(url, json={"reason": "tax arrears found"}, headers=CREDIT)
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["transitions"][-1]["reason"] == "tax arrears found"
    again = await api.post(url, json={"reason": "twice"}, headers=CREDIT)
    assert again.status_code == 409 and again.json()["current_state"] == "rejected"
    reapply = await api.post("/v1/applications", json=application_body(screened["uscc"]), headers=DEPT)
    assert reapply.status_code == 201


async def test_public_applicant_uses_its_token_to_upload_and_read(api) -> None:
    created = await api.post("/v1/applications", json=application_body())
    assert created.status_code == 201
    token = created.json()["applicant_token"]
    app_id = created.json()["id"]
    assert created.json()["submitted_by"] == "public"
    await upload_all(api, app_id, headers={"X-Applicant-Token": token})
    mine = await api.get(f"/v1/applications/{app_id}", headers={"X-Applicant-Token": token})
    assert mine.status_code == 200 and mine.json()["missing_materials"] == []
    wrong = await api.get(f"/v1/applications/{app_id}", headers={"X-Applicant-Token": "guess"})
    assert wrong.status_code == 403


async def test_upload_checks_type_and_size_and_keeps_the_sha256(api, to_state) -> None:
    created = await to_state("submitted")
    url = f"/v1/applications/{created['id']}/materials/business_licence"
    fake = await api.put(url, headers=DEPT, files={"file": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert fake.status_code == 415 and fake.json()["code"] == "MATERIAL_TYPE_UNSUPPORTED"
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    too_big = await api.put(url, headers=DEPT, files={"file": ("x.pdf", big, "application/pdf")})
    assert too_big.status_code == 413 and too_big.json()["code"] == "MATERIAL_TOO_LARGE"
    way_too_big = await api.put(url, headers=DEPT, files={"file": ("x.pdf", big * 2, "application/pdf")})
    assert way_too_big.status_code == 413 and way_too_big.headers["content-type"] == "application/problem+json"
    unknown = await api.put(f"/v1/applications/{created['id']}/materials/selfie", headers=DEPT,
                            files={"file": ("x.pdf", b"%PDF-1", "application/pdf")})
    assert unknown.status_code == 400
    good = await api.put(url, headers=DEPT, files={"file": ("licence.pdf", b"%PDF-1.4 licence", "application/pdf")})
    download = await api.get(url, headers=CREDIT)
    assert download.content == b"%PDF-1.4 licence"
    assert download.headers["x-content-sha256"] == hashlib.sha256(b"%PDF-1.4 licence").hexdigest()
    assert good.json()["sha256"] == hashlib.sha256(b"%PDF-1.4 licence").hexdigest()
