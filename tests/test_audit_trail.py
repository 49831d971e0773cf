"""Who did what: every committed write by a person or a client leaves one audit-trail row, in the same
transaction; refused writes leave none; the auditor (only) reads the trail with filters and a cursor."""

from __future__ import annotations

import pytest

from tools.stack import SERVICES
from xinyidai_shared.testing import TEST_SECRET, app_client, auth

from fund_ledger.app import create_app
from fund_ledger.config import Settings

pytestmark = pytest.mark.asyncio
CZJ_ALICE = auth("finance_bureau", "czj", subject="czj-alice")
CZJ_BOB = auth("finance_bureau", "czj", subject="czj-bob")
AUDITOR = auth("auditor", "audit-ly")


async def _trail(client, **params) -> dict:  # noqa: ANN001
    response = await client.get("/v1/audit-trail", params=params, headers=AUDITOR)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_write_leaves_who_what_when_and_a_refused_one_leaves_nothing(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, auth_secret=TEST_SECRET, log_json=False))
    async with app_client(app) as client:
        body = {"reference": "cap-audit", "amount": "5000.00"}
        done = await client.post("/v1/deposits/initial-capital", json=body, headers={**CZJ_ALICE, "X-Correlation-ID": "corr-audit-1"})
        assert done.status_code == 201, done.text
        transfer_id = done.json()["id"]
        refused = await client.post("/v1/deposits/initial-capital", json={"reference": "cap-bad", "amount": "-1"}, headers=CZJ_ALICE)
        assert refused.status_code in (400, 422)
        wrong_role = await client.post("/v1/deposits/initial-capital", json=body, headers=auth("bank", "bank-a"))
        assert wrong_role.status_code == 403
        same_person = await client.post(f"/v1/transfers/{transfer_id}/confirmation", json={}, headers=CZJ_ALICE)
        assert same_person.status_code == 403  # refused by the two-person rule: nothing written, nothing in the trail
        confirmed = await client.post(f"/v1/transfers/{transfer_id}/confirmation", json={}, headers=CZJ_BOB)
        assert confirmed.status_code == 200, confirmed.text
        rows = (await _trail(client))["items"]
    assert len(rows) == 2, rows
    declared, posted = rows
    assert (declared["subject"], declared["org_id"], declared["role"]) == ("czj-alice", "czj", "finance_bureau")
    assert (declared["method"], declared["route"], declared["path"]) == (
        "POST", "/v1/deposits/initial-capital", "/v1/deposits/initial-capital")
    assert declared["correlation_id"] == "corr-audit-1" and declared["at"].endswith("+00:00")
    assert declared["detail"]["after"] == {"transfer_id": transfer_id, "kind": "initial_capital", "status": "pending",
                                           "amount_fen": 500_000, "due_id": None}
    assert (posted["subject"], posted["route"]) == ("czj-bob", "/v1/transfers/{transfer_id}/confirmation")
    assert posted["object_ids"]["transfer_id"] == transfer_id
    assert (posted["detail"]["before"]["status"], posted["detail"]["after"]["status"]) == ("pending", "posted")
    assert [e["type"] for e in posted["detail"]["events"]] == ["FundDeposited"]


async def test_the_trail_filters_pages_with_a_bounded_cursor_and_only_the_auditor_reads_it(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, auth_secret=TEST_SECRET, log_json=False))
    async with app_client(app) as client:
        for n in range(5):
            who = auth("finance_bureau", "czj", subject=f"czj-{n % 2}")
            body = {"year": 2020 + n, "revenue": "1000.00"}
            assert (await client.post("/v1/fiscal-revenues", json=body, headers=who)).status_code == 201
        first = await _trail(client, limit=2)
        second = await _trail(client, limit=2, after=first["next_cursor"])
        third = await _trail(client, limit=2, after=second["next_cursor"])
        assert [len(p["items"]) for p in (first, second, third)] == [2, 2, 1] and third["next_cursor"] is None
        ids = [r["id"] for p in (first, second, third) for r in p["items"]]
        assert ids == sorted(ids) and len(set(ids)) == 5
        assert {r["subject"] for r in (await _trail(client, subject="czj-1"))["items"]} == {"czj-1"}
        assert len((await _trail(client, subject="czj-1"))["items"]) == 2
        for bad in ({"limit": 501}, {"limit": 0}, {"after": -1}, {"after": 2**63}, {"after": "+1"}):
            assert (await client.get("/v1/audit-trail", params=bad, headers=AUDITOR)).status_code == 422, bad
        naive = await client.get("/v1/audit-trail", params={"since": "2026-01-01T00:00:00"}, headers=AUDITOR)
        assert naive.status_code == 400 and naive.json()["code"] == "INSTANT_NOT_AWARE"
        assert (await client.get("/v1/audit-trail", headers=CZJ_ALICE)).status_code == 403
        assert (await client.get("/v1/audit-trail")).status_code == 401


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_service_serves_its_trail_to_the_auditor(service: str, sqlite_url: str) -> None:
    package = SERVICES[service]
    config = __import__(f"{package}.config", fromlist=["Settings"])
    app = __import__(f"{package}.app", fromlist=["create_app"]).create_app(
        config.Settings(dev_mode=True, database_url=sqlite_url, log_json=False, auth_secret=TEST_SECRET)
    )
    async with app_client(app) as client:
        assert (await _trail(client)) == {"items": [], "next_cursor": None}
        assert (await client.get("/v1/audit-trail", headers=auth("bank", "bank-a"))).status_code == 403
