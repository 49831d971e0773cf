"""End to end: the broker and the four services as real processes talking over HTTP and Kafka."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tools.demo import Call, run_story
from tools.stack import Stack, env_prefix
from xinyidai_shared.devorgs import DEMO_ORGS, dev_tokens
from xinyidai_shared.money import parse_yuan

TOKENS = dev_tokens()


def bearer(org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[org]}"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole system on the embedded default (SQLite files) and on PostgreSQL (a database per service)."""
    databases = None
    if request.param == "postgres":
        server = request.getfixturevalue("pg_server")
        databases = {service: server.create_database() for service in ("credit-data", "whitelist", "fund-ledger", "claims")}
    running = Stack(tmp_path_factory.mktemp("stack"), database_urls=databases)
    try:
        # Four processes importing and migrating at once can take minutes on a loaded 2-core machine:
        # wait for readiness generously; the tests themselves still assert every outcome.
        running.wait_ready(240)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def story_calls(stack: Stack) -> tuple[dict[str, str], list[Call]]:
    lines: list[str] = []
    calls: list[Call] = []
    return run_story(stack.urls, TOKENS, say=lines.append, calls=calls), calls


@pytest.fixture(scope="module")
def story(story_calls: tuple[dict[str, str], list[Call]]) -> dict[str, str]:
    return story_calls[0]


def test_demo_story_pays_thirty_percent_and_fund_balance_is_capital_minus_compensation_plus_contribution(
    story: dict[str, str],
) -> None:
    assert story["compensation"] == "300000.00"  # 30% of 1,000,000.00, under both caps (Measures art.12)
    assert story["contribution"] == "10000.00"  # 5% of the bank's 200,000.00 interest income (art.7)
    assert story["cash_before"] == "10000000.00"  # confirmed by a second officer, so it is cash
    cash = parse_yuan(story["capital"]) - parse_yuan(story["compensation"]) + parse_yuan(story["contribution"])
    assert parse_yuan(story["cash"]) == cash


def _claims_outbox_range(stack: Stack) -> int:
    return stack.query("claims", "SELECT max(seq) FROM outbox")[0][0]


def test_replayed_claim_approved_pays_once(stack: Stack, story: dict[str, str]) -> None:
    """Invariant: republishing every claims event (ClaimApproved included) moves no money twice."""
    last = _claims_outbox_range(stack)
    env = {
        **os.environ,
        f"{env_prefix('claims')}DEV_MODE": "true",
        f"{env_prefix('claims')}DATABASE_URL": stack.database_urls["claims"],
        f"{env_prefix('claims')}KAFKA_BOOTSTRAP": stack.broker.bootstrap,
    }
    done = subprocess.run(
        [sys.executable, "-m", "claims", "replay", "--from", "1", "--to", str(last)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"republished {last} events" in done.stdout
    time.sleep(3)  # give the fund-ledger consumer time to (not) act on the redelivered events
    fund = httpx.get(stack.urls["fund-ledger"] + "/v1/fund", headers=bearer("audit-ly")).json()
    assert fund["cash"] == story["cash"]
    assert fund["compensation_paid"] == story["compensation"]
    verification = httpx.get(stack.urls["fund-ledger"] + "/v1/verification", headers=bearer("audit-ly"))
    assert verification.status_code == 200 and verification.json()["ok"] is True, verification.text


def test_a_bank_cannot_read_another_banks_loan(stack: Stack, story: dict[str, str]) -> None:
    mine = httpx.get(stack.urls["claims"] + "/v1/loans", headers=bearer("bank-icbc-ly")).json()
    assert mine, "the story registered a loan for bank-icbc-ly"
    loan_id = mine[0]["loan_id"]
    assert httpx.get(stack.urls["claims"] + f"/v1/loans/{loan_id}", headers=bearer("bank-icbc-ly")).status_code == 200
    other = httpx.get(stack.urls["claims"] + f"/v1/loans/{loan_id}", headers=bearer("bank-ccb-ly"))
    assert other.status_code in (403, 404)
    assert other.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(stack.urls["claims"] + "/v1/loans", headers=bearer("bank-ccb-ly")).json() == []


def test_a_water_provider_cannot_push_tax_records(stack: Stack) -> None:
    record = {"source_record_id": "T-x", "uscc": "91350100M000100Y43", "source": "tax", "period": "2026-01", "tax_paid": "1.00", "filed_on_time": True}
    response = httpx.post(stack.urls["credit-data"] + "/v1/feeds/record", json=record, headers=bearer("water-ly"))
    assert response.status_code == 403
    assert response.json()["code"]


@pytest.mark.parametrize(
    ("service", "method", "path", "wrong_org"),
    [
        ("claims", "GET", "/v1/loans", "heating-bk"),
        ("fund-ledger", "GET", "/v1/fund", "heating-bk"),
        ("credit-data", "POST", "/v1/feeds/record", "bank-icbc-ly"),
        ("whitelist", "GET", "/v1/applications", "heating-bk"),
    ],
)
def test_no_credential_is_401_and_a_wrong_role_is_403(stack: Stack, service: str, method: str, path: str, wrong_org: str) -> None:
    url = stack.urls[service] + path
    anonymous = httpx.request(method, url, json={})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    wrong = httpx.request(method, url, json={}, headers=bearer(wrong_org))
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "ROLE_NOT_ALLOWED"


def _outbox(stack: Stack, service: str) -> list[dict]:
    import json

    return [json.loads(row[0]) for row in stack.query(service, "SELECT envelope FROM outbox ORDER BY seq")]


def test_correlation_id_travels_from_the_request_into_the_events_it_causes(stack: Stack, story: dict[str, str]) -> None:
    """The id of the request that approved a claim is on ClaimApproved and on the CompensationPaid it caused."""
    approved = [e for e in _outbox(stack, "claims") if e["type"] == "ClaimApproved"]
    paid = {e["payload"]["claim_id"]: e for e in _outbox(stack, "fund-ledger") if e["type"] == "CompensationPaid"}
    assert approved and paid
    for event in approved:
        assert event["correlation_id"], "an event caused by an HTTP request carries its correlation id"
        assert paid[event["payload"]["claim_id"]]["correlation_id"] == event["correlation_id"]
    cid = "corr-e2e-" + str(time.time_ns())
    response = httpx.get(stack.urls["claims"] + "/v1/loans", headers={**bearer("bank-icbc-ly"), "X-Correlation-ID": cid})
    assert response.headers["x-correlation-id"] == cid


def _trail(stack: Stack, service: str) -> list[dict]:
    """Every audit-trail row of a service, page by page, as the auditor reads them."""
    rows, after = [], 0
    while True:
        page = httpx.get(stack.urls[service] + "/v1/audit-trail", params={"after": after, "limit": 200}, headers=bearer("audit-ly"))
        assert page.status_code == 200, page.text
        rows += page.json()["items"]
        if page.json()["next_cursor"] is None:
            return rows
        after = page.json()["next_cursor"]


def test_every_write_of_the_demo_by_an_officer_or_a_client_has_its_audit_trail_row(
    stack: Stack, story_calls: tuple[dict[str, str], list[Call]]
) -> None:
    """Who did what: each successful write the story made (officers, banks, providers, the enterprise)
    is in the trail of the service it changed, with the organisation, method, path and a correlation id."""
    _, calls = story_calls
    writes = [c for c in calls if c.method in {"POST", "PUT", "PATCH", "DELETE"} and c.org and 200 <= c.status < 300]
    officers = {"dept-industry", "fgj-credit", "lg-office", "czj"}
    assert officers <= {c.org for c in writes}, "the story has officer writes in every service it touches"
    trails = {service: _trail(stack, service) for service in {c.service for c in writes}}
    org_of = {org.key: org.org_id for org in DEMO_ORGS}  # a login such as czj-checker acts for czj
    missing = []
    for call in writes:
        path, org = call.path.split("?", 1)[0], org_of.get(call.org, call.org)
        rows = [r for r in trails[call.service] if (r["method"], r["path"], r["org_id"]) == (call.method, path, org)]
        if not rows or not all(r["correlation_id"] and r["subject"] for r in rows):
            missing.append(f"{call.method} {call.service}{path} as {call.org}")
    assert missing == [], f"writes without an audit-trail row: {missing}"
    approvals = [r for r in trails["claims"] if r["route"] == "/v1/claims/{claim_id}/approval"]
    assert approvals and approvals[0]["object_ids"]["claim_id"] and approvals[0]["role"] == "leading_group"
