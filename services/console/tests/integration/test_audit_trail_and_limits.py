"""The auditor's audit-trail page over every service's trail, and the console's own request size limits.

The services are stood in for by an httpx mock transport: each answers its trail page after the cursor given.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from console.adapters.backend import Backend
from console.app import create_app
from console.config import Settings
from xinyidai_shared.testing import app_client

SERVICES = ("credit-data", "whitelist", "fund-ledger", "claims")


def _row(n: int, second: int, subject: str, **ids: str) -> dict:
    return {"id": n, "at": f"2026-12-02T02:00:{second:02d}+00:00", "subject": subject, "org_id": subject.split(":")[0],
            "role": "finance_bureau", "client_id": "", "method": "POST", "route": "/v1/things/{thing_id}/approval",
            "path": "/v1/things/x/approval", "object_ids": ids, "correlation_id": "corr-1",
            "detail": {"before": {"status": "pending"}, "after": {"status": "posted"}, "events": [{"type": "FundDeposited"}]}}


TRAILS = {
    "fund-ledger": [_row(1, 1, "czj:吴会计", transfer_id="t-1"), _row(2, 4, "czj:郑会计", transfer_id="t-1")],
    "claims": [_row(1, 2, "lg-office:孙处长", claim_id="c-9"), _row(2, 5, "lg:陈组长", claim_id="c-9")],
    "whitelist": [_row(7, 3, "dept-industry:赵科长", application_id="a-3")],
    "credit-data": [],
}


class Trails:
    """Each service's /v1/audit-trail: rows after the cursor, `limit` of them; records every query."""

    def __init__(self) -> None:
        self.asked: list[httpx.Request] = []
        self.sent: list[httpx.Request] = []
        self.down: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        service = request.url.host
        if request.url.path != "/v1/audit-trail":
            return httpx.Response(200, json=[] if request.url.path.startswith("/v1/") else {})
        self.asked.append(request)
        if service in self.down:
            raise httpx.ConnectError("refused")
        q = request.url.params
        if q.get("since") == "bad":
            return httpx.Response(400, json={"code": "INSTANT_NOT_AWARE", "detail": "no", "field": "since"})
        rows = [r for r in TRAILS[service] if r["id"] > int(q["after"])]
        if q.get("subject"):
            rows = [r for r in rows if r["subject"] == q["subject"]]
        limit = int(q["limit"])
        return httpx.Response(200, json={"items": rows[:limit], "next_cursor": rows[limit - 1]["id"] if len(rows) > limit else None})


@pytest.fixture
def trails() -> Trails:
    return Trails()


@pytest.fixture
async def client(sqlite_url: str, trails: Trails) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(dev_mode=True, database_url=sqlite_url, max_body_bytes=64 * 1024, letter_max_bytes=100_000))
    async with app_client(app) as c:
        await app.state.backend.close()
        app.state.backend = Backend({s: f"http://{s}" for s in SERVICES}, transport=httpx.MockTransport(trails))
        c.base_url = "https://testserver"
        yield c


async def sign_in(client: httpx.AsyncClient, org: str, person: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/sign-in")).text).group(1)
    answer = await client.post("/sign-in", data={"csrf_token": token, "org_id": org, "person": person, "next": "/"})
    assert answer.status_code == 303, answer.text


def shown(html: str) -> list[str]:
    return re.findall(r'<tr id="trail-([a-z-]+-\d+)"', html)


async def test_the_auditor_reads_every_services_trail_as_one_list_a_page_at_a_time(client: httpx.AsyncClient) -> None:
    await sign_in(client, "audit-ly", "冯审计")
    first = await client.get("/audit/trail", params={"limit": 2})
    assert first.status_code == 200
    assert shown(first.text) == ["fund-ledger-1", "claims-1"]
    assert "吴会计" in first.text and "pending" in first.text and "posted" in first.text and "FundDeposited" in first.text
    assert "2026-12-02 10:00:01" in first.text  # Beijing time, to the second
    cursor = re.search(r'cursor=([0-9.]+)" rel="next"', first.text).group(1)
    second = await client.get("/audit/trail", params={"limit": 2, "cursor": cursor})
    third = await client.get("/audit/trail", params={"limit": 2, "cursor": re.search(r'cursor=([0-9.]+)" rel="next"', second.text).group(1)})
    assert shown(second.text) == ["whitelist-7", "fund-ledger-2"] and shown(third.text) == ["claims-2"]
    assert 'rel="next"' not in third.text  # every service has shown its last row


async def test_filters_reach_every_service_and_a_bad_date_is_said_next_to_its_field(client: httpx.AsyncClient,
                                                                                   trails: Trails) -> None:
    await sign_in(client, "audit-ly", "冯审计")
    found = await client.get("/audit/trail", params={"subject": "lg:陈组长", "since": "2026-12-01", "until": "2026-12-02"})
    assert shown(found.text) == ["claims-2"]
    sent = {r.url.host: r.url.params for r in trails.asked}
    assert set(sent) == set(SERVICES)
    assert all(p["subject"] == "lg:陈组长" and p["since"] == "2026-12-01T00:00:00+08:00"
               and p["until"] == "2026-12-03T00:00:00+08:00" for p in sent.values())
    trails.asked.clear()
    one = await client.get("/audit/trail", params={"service": "claims"})
    assert {r.url.host for r in trails.asked} == {"claims"} and shown(one.text) == ["claims-1", "claims-2"]
    trails.asked.clear()
    bad = await client.get("/audit/trail", params={"since": "2026-13-01", "until": "x"})
    assert bad.status_code == 400 and 'id="e-f-since"' in bad.text and 'id="e-f-until"' in bad.text
    backwards = await client.get("/audit/trail", params={"since": "2026-12-05", "until": "2026-12-01"})
    assert backwards.status_code == 400 and 'id="e-f-until"' in backwards.text
    assert not trails.asked  # nothing was asked of a service with a date that is no date
    forged = await client.get("/audit/trail", params={"cursor": "1.2.3"})
    assert forged.status_code == 400 and "CURSOR_INVALID" in forged.text


async def test_a_service_that_does_not_answer_is_named_and_the_rest_is_shown(client: httpx.AsyncClient, trails: Trails) -> None:
    await sign_in(client, "audit-ly", "冯审计")
    trails.down.add("claims")
    page = await client.get("/audit/trail")
    assert page.status_code == 200 and "claims" in page.text and "未应答" in page.text
    assert shown(page.text) == ["fund-ledger-1", "whitelist-7", "fund-ledger-2"]


async def test_only_the_auditor_opens_the_trail(client: httpx.AsyncClient) -> None:
    await sign_in(client, "czj", "吴会计")
    refused = await client.get("/audit/trail")
    assert refused.status_code == 403 and "ROLE_NOT_ALLOWED" in refused.text


async def test_bodies_over_the_consoles_limits_are_refused_before_they_are_read(client: httpx.AsyncClient, trails: Trails) -> None:
    await sign_in(client, "fgj-credit", "钱主任")
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', (await client.get("/work")).text).group(1)
    trails.sent.clear()
    big_form = await client.post("/reviews/sweep", data={"csrf_token": token, "pad": "x" * (64 * 1024)})
    assert big_form.status_code == 413 and big_form.json()["code"] == "BODY_TOO_LARGE"
    files = {"file": ("letter.pdf", b"%PDF-1.4\n" + b"0" * 300_000, "application/pdf")}
    letter = await client.post("/enterprises/91211382MA0XYD0011/letter", data={"csrf_token": token}, files=files)
    assert letter.status_code == 413 and letter.json()["code"] == "LETTER_TOO_LARGE"

    async def endless():  # no declared length: counted as it streams, cut off at the limit
        for _ in range(100):
            yield b"x" * 8192

    streamed = await client.post("/public/notices/list/app-1/objection", content=endless(),
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413 and streamed.json()["code"] == "OBJECTION_TOO_LARGE"
    assert not [r for r in trails.sent if r.method == "POST"]  # nothing reached a service
