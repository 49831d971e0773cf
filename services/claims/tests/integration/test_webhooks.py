"""Webhooks to banks, delivered to a real receiver process: signed (verified with the library), retried,
refused for forbidden targets at registration and at delivery, one slow endpoint never delaying another."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError
from xinyidai_shared.events import EnterpriseDelisted, FundBalanceLow, RiskAlertRaised
from xinyidai_shared.testing import app_client, eventually

from claims.adapters import webhook_http, webhooks_repo

from .helpers import admit, bank_headers, build, deliver, loan_body, seed_good_standing, uscc
from .test_claims_api import claim_for, loss_loan

RECEIVER = Path(__file__).resolve().parents[4] / "tools" / "webhook_receiver.py"
FAST = {"webhook_allow_loopback": True, "webhook_poll_interval_s": 0.05, "webhook_retry_base_s": 0.05,
        "webhook_retry_max_s": 0.2, "webhook_timeout_s": 5.0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """tools/webhook_receiver.py in its own process, logging what it gets."""

    def __init__(self, tmp_path: Path) -> None:
        self.port, self.log = _free_port(), tmp_path / "received.jsonl"
        self.process = subprocess.Popen([sys.executable, str(RECEIVER), "--port", str(self.port), "--log", str(self.log)])
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url("received"), timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def received(self, path: str | None = None) -> list[dict]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        entries = [json.loads(line) for line in lines]
        return [e for e in entries if path is None or e["path"] == f"/{path}"]

    def stop(self) -> None:
        self.process.kill()  # not a graceful stop: it would wait out a slow answer still sleeping
        self.process.wait(timeout=10)


@pytest.fixture
def receiver(tmp_path):  # noqa: ANN001, ANN201
    running = Receiver(tmp_path)
    yield running
    running.stop()


async def _endpoint(client, bank: str, url: str, **body) -> dict:  # noqa: ANN001
    response = await client.post("/v1/webhooks/endpoints", headers=bank_headers(bank), json={"url": url, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def _deliveries(client, bank: str, **query) -> list[dict]:  # noqa: ANN001
    return (await client.get("/v1/webhooks/deliveries", headers=bank_headers(bank), params=query)).json()["deliveries"]


async def test_claim_changes_reach_the_bank_signed_and_a_500_is_retried(db_url, clock, receiver):
    app = build(db_url, clock, **FAST)
    async with app_client(app) as client:
        lid = await loss_loan(app, client, "bank-hook")
        hook = await _endpoint(client, "bank-hook", receiver.url("hooks/bank?fail=2"), event_types=["claim.state_changed"])
        assert hook["secret"].startswith("whsec_") and "secret" not in (await client.get(
            "/v1/webhooks/endpoints", headers=bank_headers("bank-hook"))).json()[0]
        claim = (await claim_for(client, "bank-hook", lid)).json()

        async def delivered() -> bool:
            return [d["status"] for d in await _deliveries(client, "bank-hook")] == ["delivered"]

        await eventually(delivered, timeout_s=20)
        got = receiver.received("hooks/bank")
        assert len(got) == 3  # 500, 500, then 200: the same message each time
        assert len({g["headers"]["webhook-id"] for g in got}) == 1
        body = Webhook(hook["secret"]).verify(got[-1]["body"], got[-1]["headers"])
        assert body["type"] == "claim.state_changed"
        expected = {"claim_id": claim["claim_id"], "state": "submitted", "previous_state": None, "loan_id": lid}
        assert {k: body["data"][k] for k in expected} == expected and body["data"]["bank_loan_no"].startswith("N-")
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 32).verify(got[-1]["body"], got[-1]["headers"])
        log = (await client.get(f"/v1/webhooks/deliveries/{(await _deliveries(client, 'bank-hook'))[0]['delivery_id']}",
                                headers=bank_headers("bank-hook"))).json()
        assert [a["status_code"] for a in log["attempt_log"]] == [500, 500, 200]
        assert all(a["latency_ms"] >= 0 for a in log["attempt_log"]) and log["next_attempt_at"] is None
        feed = (await client.get("/v1/webhooks/messages", headers=bank_headers("bank-hook"))).json()
        assert [m["type"] for m in feed["messages"]] == ["claim.state_changed"]
        other = (await client.get(f"/v1/webhooks/deliveries/{log['delivery_id']}", headers=bank_headers("bank-else")))
        assert other.status_code == 404


REFUSED = [
    ("https://10.1.2.3/hook", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://192.168.0.7:8443/hook", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://169.254.169.254/latest/meta-data", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://100.100.100.200/latest", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://[fd00::1]/hook", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://[::ffff:127.0.0.1]/hook", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://127.0.0.1/hook", "WEBHOOK_TARGET_FORBIDDEN"),
    ("https://localhost/hook", "WEBHOOK_TARGET_FORBIDDEN"),
    ("http://93.184.216.34/hook", "WEBHOOK_URL_INSECURE"),
    ("https://bank:pw@hooks.example.com/hook", "WEBHOOK_URL_INVALID"),
    ("ftp://hooks.example.com/hook", "WEBHOOK_URL_INVALID"),
]


async def test_private_loopback_link_local_and_metadata_targets_are_refused(sqlite_url, clock):
    app = build(sqlite_url, clock)  # loopback is not allowed here
    async with app_client(app) as client:
        await admit(client, "bank-ssrf")
        for url, code in REFUSED:
            response = await client.post("/v1/webhooks/endpoints", headers=bank_headers("bank-ssrf"), json={"url": url})
            assert (response.status_code, response.json()["code"]) == (400, code), (url, response.text)
        assert (await client.get("/v1/webhooks/endpoints", headers=bank_headers("bank-ssrf"))).json() == []


async def test_a_host_that_resolves_to_a_private_address_at_delivery_is_refused_then(sqlite_url, clock, receiver,
                                                                                      monkeypatch):
    answers = {"hooks.bank.example": ["93.184.216.34"]}  # public when the bank registers it

    async def resolve(host: str, port: int) -> list[str]:
        return answers.get(host, ["127.0.0.1"])

    monkeypatch.setattr(webhook_http, "resolve", resolve)
    app = build(sqlite_url, clock, **{**FAST, "webhook_allow_loopback": False})
    async with app_client(app) as client:
        await admit(client, "bank-dns")
        await _endpoint(client, "bank-dns", "https://hooks.bank.example/in")
        answers["hooks.bank.example"] = ["10.9.8.7"]  # then the name points inside
        hook = (await client.get("/v1/webhooks/endpoints", headers=bank_headers("bank-dns"))).json()[0]
        assert (await client.post(f"/v1/webhooks/endpoints/{hook['endpoint_id']}/test",
                                  headers=bank_headers("bank-dns"))).status_code == 202

        async def refused() -> bool:
            found = await _deliveries(client, "bank-dns")
            return bool(found) and found[0]["attempts"] >= 1

        await eventually(refused, timeout_s=10)
        delivery = (await _deliveries(client, "bank-dns"))[0]
        assert delivery["last_status_code"] is None and "WEBHOOK_TARGET_FORBIDDEN" in delivery["last_error"]
        assert "10.9.8.7" in delivery["last_error"] and delivery["status"] == "pending"


async def test_a_slow_endpoint_never_delays_another(sqlite_url, clock, receiver):
    app = build(sqlite_url, clock, **{**FAST, "webhook_per_endpoint": 1, "webhook_timeout_s": 8.0})
    async with app_client(app) as client:
        code = uscc()
        await seed_good_standing(app, code)
        for bank in ("bank-slow", "bank-quick"):
            await admit(client, bank)
            assert (await client.post("/v1/loans", headers=bank_headers(bank), json=loan_body(code, f"{bank}-1"))).status_code == 201
        await _endpoint(client, "bank-slow", receiver.url("slow?delay=6"))
        await _endpoint(client, "bank-quick", receiver.url("quick"))
        started = time.monotonic()
        for n in range(3):  # three pieces of news about the borrower: the slow endpoint has a backlog
            await deliver(app, RiskAlertRaised(uscc=code, alert_id=f"al-{n}", rule="UTILITY_ARREARS_2M", severity="warning",
                                               detail="two months of water arrears", raised_at=clock.now))

        async def quick_done() -> bool:
            return len(receiver.received("quick")) == 3

        await eventually(quick_done, timeout_s=5)
        assert time.monotonic() - started < 4, time.monotonic() - started  # the slow endpoint answers its first message only after 6 s
        assert len(receiver.received("slow")) == 1  # one at a time there: the others wait their turn
        data = json.loads(receiver.received("quick")[0]["body"])["data"]
        assert data["bank_loan_nos"] == ["bank-quick-1"] and data["rule"] == "UTILITY_ARREARS_2M"


async def test_borrower_suspension_is_told_to_lenders_only_and_redelivery_sends_again(sqlite_url, clock, receiver):
    app = build(sqlite_url, clock, **FAST)
    async with app_client(app) as client:
        code = uscc()
        await seed_good_standing(app, code)
        await admit(client, "bank-lends")
        await admit(client, "bank-not")
        await client.post("/v1/loans", headers=bank_headers("bank-lends"), json=loan_body(code, "L-1"))
        await _endpoint(client, "bank-lends", receiver.url("lends"))
        await _endpoint(client, "bank-not", receiver.url("not"))
        event = EnterpriseDelisted(uscc=code, reason_code="UNDER_REVIEW", reason="arrears under review", suspended=True,
                                   delisted_on=date(2027, 6, 30))
        await deliver(app, event)
        await deliver(app, event, event_id=None)  # the same news again under another event id: a new message

        async def told() -> bool:
            return len(receiver.received("lends")) == 2

        await eventually(told, timeout_s=10)
        assert receiver.received("not") == []
        body = json.loads(receiver.received("lends")[0]["body"])
        assert body["type"] == "borrower.suspended" and body["data"]["bank_loan_nos"] == ["L-1"]
        first = (await _deliveries(client, "bank-lends"))[-1]
        again = await client.post(f"/v1/webhooks/deliveries/{first['delivery_id']}/redeliver", headers=bank_headers("bank-lends"))
        assert again.status_code == 200 and again.json()["status"] == "pending"

        async def resent() -> bool:
            return len(receiver.received("lends")) == 3

        await eventually(resent, timeout_s=10)
        ids = [g["headers"]["webhook-id"] for g in receiver.received("lends")]
        assert ids[2] == first["message_id"] and ids.count(first["message_id"]) == 2


async def test_senders_on_two_replicas_never_take_the_same_delivery(db_url, clock):
    app = build(db_url, clock, **{**FAST, "webhook_poll_interval_s": 3600.0})  # the app's own sender stays idle
    async with app_client(app) as client:
        await admit(client, "bank-share")
        hook = await _endpoint(client, "bank-share", "http://127.0.0.1:9/never")
        for _ in range(5):
            await client.post(f"/v1/webhooks/endpoints/{hook['endpoint_id']}/test", headers=bank_headers("bank-share"))
        db, now = app.state.runtime.db, datetime.now(UTC)
        lease = now + timedelta(minutes=5)
        claim = dict(now=now, lease_until=lease, per_endpoint=10, busy=set())
        if db.is_sqlite:  # one writer at a time: the first claim's lease keeps the second off its deliveries
            async with db.writing() as one:
                first = await webhooks_repo.claim_due(one, limit=2, **claim)
                await one.commit()
            async with db.writing() as two:
                second = await webhooks_repo.claim_due(two, limit=10, **claim)
                await two.commit()
        else:  # PostgreSQL: the second claim runs while the first is still open and skips its locked rows
            async with db.writing() as one, db.writing() as two:
                first = await webhooks_repo.claim_due(one, limit=2, **claim)
                second = await webhooks_repo.claim_due(two, limit=10, **claim)
                await one.commit()
                await two.commit()
        taken = [r.delivery_id for r in first] + [r.delivery_id for r in second]
        assert len(first) == 2 and len(second) == 3 and len(set(taken)) == 5
        async with db.writing() as three:
            assert await webhooks_repo.claim_due(three, limit=10, **claim) == []  # all leased


async def _feed(client, bank: str) -> list[dict]:  # noqa: ANN001
    return (await client.get("/v1/webhooks/messages", headers=bank_headers(bank))).json()["messages"]


async def test_fund_cash_below_its_floor_is_told_to_every_admitted_bank_once(sqlite_url, clock):
    app = build(sqlite_url, clock)
    async with app_client(app) as client:
        for bank in ("bank-low-1", "bank-low-2"):
            await admit(client, bank)
        event = FundBalanceLow(cash_fen=1_234_567, threshold_fen=5_000_000_00, waiting_fen=30_000_000,
                               observed_at=clock.now)
        assert await deliver(app, event, event_id=uuid.UUID(int=7))
        assert not await deliver(app, event, event_id=uuid.UUID(int=7))  # redelivered by the broker: told once
        told = {bank: await _feed(client, bank) for bank in ("bank-low-1", "bank-low-2")}
        assert [len(feed) for feed in told.values()] == [1, 1]
        body = told["bank-low-1"][0]["body"]
        assert body["type"] == "reminder.fund_balance_low"
        assert {k: body["data"][k] for k in ("cash", "threshold", "waiting")} == \
            {"cash": "12345.67", "threshold": "5000000.00", "waiting": "300000.00"}
        assert told["bank-low-1"][0]["message_id"] != told["bank-low-2"][0]["message_id"]
