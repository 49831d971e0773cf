"""The console in process: sessions in HttpOnly cookies, CSRF on every form, refusals next to fields.

The services are stood in for by an httpx mock transport here; the browser tests run the real ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from console.adapters.backend import Backend
from console.app import create_app
from console.config import Settings
from xinyidai_shared.auth import verify_token
from xinyidai_shared.settings import DEV_AUTH_SECRET
from xinyidai_shared.testing import app_client

NOTICE = {"application_id": "app-1", "uscc": "91211382MA0XYD0011", "name": "凌源市示范制造有限公司",
          "legal_representative": "张三", "industry_code": "C1391", "sme_size": "small", "starts_on": "2026-12-01",
          "ends_on": "2026-12-07", "working_days": 5, "objection_path": "/v1/public/notices/app-1/objections"}


MOVED_IN = {"id": "app-moved", "uscc": "91211302MA0XYD0011", "name": "迁入企业", "legal_representative": "王五",
            "industry_code": "C1391", "employees": 20, "revenue": "1000000.00", "total_assets": "800000.00",
            "sme_size": "small", "status": "submitted", "flags": ["DIVISION_OUTSIDE_CITY"], "accepted_flags": [],
            "submitted_by": "dept-industry", "applicant_kind": "department", "materials": [], "missing_materials": [],
            "notice": None, "commitment_letter": {"status": "missing"}, "transitions": [],
            "credit_verdict": {"grade": "A", "has_report": True, "active_dishonesty_records": [], "passed": True,
                               "reason_codes": []}}


REPORT = {"report_id": "MDR-1", "loan_id": "L-1", "bank_id": "bank-icbc-ly", "uscc": "91211382MA0XYD0011",
          "detail": "moved its stock to a related company", "reported_on": "2026-12-01", "days_past_due": 95,
          "category": "loss", "outstanding": "1000000.00", "status": "pending", "received_at": "2026-12-01T02:00:00Z",
          "decided_by": None, "decision_reason": None, "decided_at": None, "record_id": None, "disputes": []}
DISPUTE = {"dispute_id": "DSP-2", "report_id": "MDR-2", "text": "the stock was sold at its market price",
           "filed_by": "91211382MA0XYD0011", "filed_at": "2026-12-02T02:00:00Z", "status": "open", "decided_by": None,
           "decision_reason": None, "decided_at": None}
PUBLIC_REPORT = REPORT | {"report_id": "MDR-2", "loan_id": "L-2", "status": "confirmed", "decision_reason": "verified",
                          "record_id": "loan:L-2", "disputes": [DISPUTE]}
STANDING_READ = {"org_id": "bank-icbc-ly", "org_name": "工商银行凌源支行", "role": "bank", "actor": "bank-icbc-ly:王",
                 "purpose": "loan application", "authorisation_ref": "AUTH-STANDING-1", "as_of": "2026-12-01",
                 "queried_at": "2026-12-01T02:00:00+00:00"}


class Services:
    """Answers like the services' HTTP APIs; records what the console sent."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.down:
            raise httpx.ConnectError("refused")
        path = request.url.path
        if path == "/v1/public/notices":
            return httpx.Response(200, json=[NOTICE])
        if path == "/v1/notices":
            return httpx.Response(200, json=[])
        if path == "/v1/public/notices/app-1/objections":
            if b'"text":""' in request.content.replace(b" ", b""):
                return httpx.Response(422, headers={"content-type": "application/problem+json"}, json={
                    "code": "VALIDATION_FAILED", "detail": "the objection does not match the schema", "status": 422,
                    "errors": [{"field": "text", "reason": "String should have at least 1 character"}]})
            return httpx.Response(201, json={"id": "obj-42", "application_id": "app-1", "status": "pending"})
        if path == "/v1/applications":
            return httpx.Response(200, json=[])
        if path == "/v1/applications/app-moved":
            return httpx.Response(200, json=MOVED_IN)
        if path == "/v1/applications/app-moved/screen":
            return httpx.Response(200, json=MOVED_IN | {"status": "screened"})
        if path == "/v1/default-reports":
            by_state = {"pending": [REPORT], "confirmed": [PUBLIC_REPORT]}
            return httpx.Response(200, json=by_state.get(request.url.params.get("status", ""), []))
        if path == "/v1/default-reports/MDR-1/confirm":
            return httpx.Response(200, json=REPORT | {"status": "confirmed"})
        if path == "/v1/default-report-disputes/DSP-2/decision":
            return httpx.Response(200, json=DISPUTE | {"status": "upheld"})
        if path == "/v1/self/default-reports":
            return httpx.Response(200, json=[PUBLIC_REPORT | {"disputes": []}])
        if path == "/v1/self/default-reports/MDR-2/disputes":
            return httpx.Response(201, json=DISPUTE)
        if path == "/v1/self/credit-queries":
            return httpx.Response(200, json=[])
        if path == "/v1/self/standing-queries":
            return httpx.Response(200, json=[STANDING_READ])
        return httpx.Response(404, json={"code": "NOT_FOUND", "detail": "no such thing"})


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
async def client(sqlite_url: str, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(dev_mode=True, database_url=sqlite_url))
    async with app_client(app) as c:
        await app.state.backend.close()
        app.state.backend = Backend({s: f"http://{s}" for s in ("credit-data", "whitelist", "fund-ledger", "claims")},
                                    transport=httpx.MockTransport(services))
        c.base_url = "https://testserver"
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(client: httpx.AsyncClient, org: str = "lg-office", person: str = "李四") -> httpx.Response:
    token = csrf_of((await client.get("/sign-in")).text)
    return await client.post("/sign-in", data={"csrf_token": token, "org_id": org, "person": person, "next": "/"})


async def test_sign_in_sets_a_secure_httponly_session_cookie_and_the_person_reaches_their_work(client: httpx.AsyncClient) -> None:
    answer = await sign_in(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/work"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("__Host-xyd_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    work = await client.get("/work")
    assert work.status_code == 200 and "李四" in work.text and "待审核的入库申请" in work.text


async def test_a_form_without_the_csrf_token_is_refused_and_nothing_reaches_a_service(client: httpx.AsyncClient,
                                                                                     services: Services) -> None:
    await client.get("/public/notices")
    services.sent.clear()
    answer = await client.post("/public/notices/list/app-1/objection", data={"text": "有问题"})
    assert answer.status_code == 403 and "CSRF_FAILED" in answer.text
    forged = await client.post("/public/notices/list/app-1/objection", data={"text": "有问题", "csrf_token": "forged"})
    assert forged.status_code == 403
    assert not [r for r in services.sent if r.method == "POST"]


async def test_an_objection_gets_an_acknowledgement_number_and_a_refusal_shows_next_to_the_field(client: httpx.AsyncClient) -> None:
    form = (await client.get("/public/notices/list/app-1/objection")).text
    token = csrf_of(form)
    refused = await client.post("/public/notices/list/app-1/objection", data={"csrf_token": token, "text": "  "})
    assert refused.status_code == 422
    assert 'id="e-f-text"' in refused.text and "String should have at least 1 character" in refused.text
    done = await client.post("/public/notices/list/app-1/objection", data={"csrf_token": token, "text": "该企业欠薪"})
    assert done.status_code == 201 and 'id="ack-number">obj-42<' in done.text


async def test_the_console_calls_services_as_the_signed_in_person_never_handing_the_token_to_the_browser(
    client: httpx.AsyncClient, services: Services
) -> None:
    answer = await sign_in(client, "fgj-credit", "钱主任")
    services.sent.clear()
    page = await client.get("/applications")
    bearer = services.sent[0].headers["authorization"].removeprefix("Bearer ")
    principal = verify_token(DEV_AUTH_SECRET, bearer)
    assert (principal.org_id, principal.role.value, principal.subject) == ("fgj-credit", "credit_office", "fgj-credit:钱主任")
    assert bearer not in page.text and all(bearer not in h for h in answer.headers.get_list("set-cookie"))


async def test_signing_out_ends_the_session_on_the_server(client: httpx.AsyncClient) -> None:
    await sign_in(client)
    stolen = client.cookies.get("__Host-xyd_session")
    work = await client.get("/work")
    out = await client.post("/sign-out", data={"csrf_token": csrf_of(work.text)})
    assert out.status_code == 303
    client.cookies.set("__Host-xyd_session", stolen)
    again = await client.get("/work")
    assert again.status_code == 303 and again.headers["location"].startswith("/sign-in")


async def test_a_service_that_does_not_answer_is_a_clear_page_not_a_500(client: httpx.AsyncClient, services: Services) -> None:
    services.down = True
    answer = await client.get("/public/notices")
    assert answer.status_code == 502 and "SERVICE_UNAVAILABLE" in answer.text and "服务暂时不可用" in answer.text


async def test_pages_are_chinese_first_with_an_english_switch_and_security_headers(client: httpx.AsyncClient) -> None:
    zh = await client.get("/public/notices")
    assert "正在公示" in zh.text and 'lang="zh-CN"' in zh.text
    assert "script-src 'self'" in zh.headers["content-security-policy"] and zh.headers["x-frame-options"] == "SAMEORIGIN"
    switched = await client.get("/lang", params={"to": "en", "next": "/public/notices"})
    assert switched.headers["location"] == "/public/notices"
    en = await client.get("/public/notices")
    assert "Current public notices" in en.text and 'lang="en"' in en.text
    evil = await client.get("/lang", params={"to": "en", "next": "//evil.example/"})
    assert evil.headers["location"] == "/"


async def test_officer_pages_need_a_sign_in_and_the_right_role(client: httpx.AsyncClient) -> None:
    anonymous = await client.get("/applications")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/sign-in?next=/applications"
    await sign_in(client, "czj", "吴会计")
    wrong = await client.get("/me")
    assert wrong.status_code == 403 and "ROLE_NOT_ALLOWED" in wrong.text


async def test_dev_sign_in_works_only_in_dev_mode(sqlite_url: str) -> None:
    from xinyidai_shared.testing import TEST_SECRET

    app = create_app(Settings(dev_mode=False, auth_secret=TEST_SECRET, database_url=sqlite_url))
    async with app_client(app) as c:
        c.base_url = "https://testserver"
        token = csrf_of((await c.get("/sign-in")).text)
        answer = await c.post("/sign-in", data={"csrf_token": token, "org_id": "lg-office", "person": "x"})
    assert answer.status_code == 403 and "DEV_SIGN_IN_DISABLED" in answer.text


async def test_screening_a_flagged_application_offers_to_accept_each_flag_and_sends_the_acceptance(
    client: httpx.AsyncClient, services: Services
) -> None:
    await sign_in(client, "dept-industry", "赵科长")
    page = (await client.get("/applications/app-moved")).text
    assert 'name="accept_flags" value="DIVISION_OUTSIDE_CITY"' in page
    services.sent.clear()
    await client.post("/applications/app-moved/screen", data={
        "csrf_token": csrf_of(page), "reason": "moved to Lingyuan in 2024", "accept_flags": "DIVISION_OUTSIDE_CITY"})
    (screen,) = [r for r in services.sent if r.url.path.endswith("/screen")]
    assert b'"accept_flags":["DIVISION_OUTSIDE_CITY"]' in screen.content.replace(b" ", b"")


async def test_the_credit_office_reviews_a_banks_malicious_default_report_and_decides_the_enterprises_dispute(
    client: httpx.AsyncClient, services: Services
) -> None:
    """A bank's report reaches the public only through the credit office's page; disputes are decided there too."""
    await sign_in(client, "fgj-credit", "钱主任")
    page = await client.get("/default-reports")
    assert 'action="/default-reports/MDR-1/review"' in page.text  # the pending report with its review form
    assert 'action="/default-report-disputes/DSP-2/decision"' in page.text  # the dispute of a public record
    work = (await client.get("/work")).text
    assert "待审查的恶意逃废债报告" in work and "企业对已公开记录的异议" in work
    services.sent.clear()
    token = csrf_of(page.text)
    undecided = await client.post("/default-reports/MDR-1/review", data={"csrf_token": token, "reason": "looked at it"})
    assert undecided.status_code == 400 and "DECISION_REQUIRED" in undecided.text
    assert not [r for r in services.sent if r.method == "POST"]  # nothing reached credit-data
    await client.post("/default-reports/MDR-1/review", data={"csrf_token": token, "decision": "confirm",
                                                             "reason": "evidence verified with the market regulator"})
    await client.post("/default-report-disputes/DSP-2/decision", data={"csrf_token": token, "uphold": "yes",
                                                                       "reason": "sold at its market price"})
    sent = {r.url.path: json.loads(r.content) for r in services.sent if r.method == "POST"}
    assert sent == {"/v1/default-reports/MDR-1/confirm": {"reason": "evidence verified with the market regulator"},
                    "/v1/default-report-disputes/DSP-2/decision": {"uphold": True, "reason": "sold at its market price"}}
    await sign_in(client, "lg-office", "李四")
    assert (await client.get("/default-reports")).status_code == 403  # the credit office's review alone


async def test_an_enterprise_sees_the_reports_about_it_disputes_one_and_sees_who_read_its_standing(
    client: httpx.AsyncClient, services: Services
) -> None:
    token = csrf_of((await client.get("/sign-in")).text)
    await client.post("/sign-in", data={"csrf_token": token, "org_id": "enterprise", "person": "张三",
                                        "uscc": "91211382MA0XYD0011", "enterprise_name": "凌源市示范制造有限公司", "next": "/"})
    page = await client.get("/me/default-reports")
    assert "moved its stock to a related company" in page.text
    assert 'action="/me/default-reports/MDR-2/disputes"' in page.text
    services.sent.clear()
    await client.post("/me/default-reports/MDR-2/disputes", data={"csrf_token": csrf_of(page.text),
                                                                  "text": "the stock was sold at its market price"})
    (sent,) = [r for r in services.sent if r.method == "POST"]
    assert sent.url.path == "/v1/self/default-reports/MDR-2/disputes"
    assert json.loads(sent.content) == {"text": "the stock was sold at its market price"}
    me = (await client.get("/me")).text
    assert "工商银行凌源支行" in me and "AUTH-STANDING-1" in me  # who read its standing in claims, and under what
