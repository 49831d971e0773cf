"""End-to-end latency from ClaimApproved leaving the claims outbox to the claim showing paid.

Starts the broker and the four services as real processes (SQLite, local broker), walks 200 enterprises
through rating, recommendation, a covered loan, loss and a claim over HTTP, approves all 200 in one
batch notice, and measures per claim: the relay's `sent_at` of its ClaimApproved (claims outbox) to the
claim's `paid_recorded_at` (when claims applied the CompensationPaid from fund-ledger).

Prints `e2e.claim_to_payment.p50_ms`, `e2e.claim_to_payment.p99_ms` (the 200 approved together, so
they queue through fund-ledger and back), `...single_p50_ms` (20 more claims approved one at a time),
`e2e.batch_of_200_approved_to_all_paid_s` (first approval in the claims outbox to the last claim recorded
paid), the median of each hop for the single and the batch claims (`e2e.hop.<single|batch>.<hop>_p50_ms`:
claims outbox → broker → fund-ledger inbox → its handler's outbox row → broker → claims inbox → claim paid,
each from the services' own outbox, inbox and claim timestamps), and a few context figures.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.demo import MATERIALS, PDF, _twelve_months  # noqa: E402
from tools.stack import Stack  # noqa: E402
from xinyidai_shared.auth import Role, issue_token  # noqa: E402
from xinyidai_shared.clock import today_shanghai  # noqa: E402
from xinyidai_shared.devorgs import dev_tokens  # noqa: E402
from xinyidai_shared.settings import DEV_AUTH_SECRET  # noqa: E402
from xinyidai_shared.uscc import make_uscc  # noqa: E402

CLAIMS = 200
BANKS = [f"bank-bench-{i}" for i in range(4)]  # 50 claims × 30,000.00 each stays under the 2,000,000 cap
TOKENS = dev_tokens() | {b: issue_token(DEV_AUTH_SECRET, org_id=b, role=Role.BANK, ttl_s=None, issued_at=0) for b in BANKS}
CONCURRENCY = 16
SINGLES = 20  # claims approved one at a time after the batch


def h(org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[org]}"}


async def ok(response: httpx.Response) -> dict:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:500]}")
    return response.json()


async def until(check, timeout_s: float = 60.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise TimeoutError("condition not met")


async def enterprise_to_claim(c: httpx.AsyncClient, urls: dict[str, str], n: int, bank: str) -> str:
    """One enterprise from first data to a filed claim; returns the claim id."""
    uscc = make_uscc(f"MA{uuid.uuid4().hex[:7].upper().translate(str.maketrans('IOSVZ', '12345'))}")
    months = _twelve_months(today_shanghai())
    water = [{"source_record_id": f"W-{uscc}-{m}", "uscc": uscc, "source": "water", "period": m, "account_no": "A1",
              "consumption": "100", "unit": "m3", "amount_due": "300.00", "amount_paid": "300.00",
              "due_on": f"{m}-25", "paid_on": f"{m}-20"} for m in months]  # fmt: skip
    tax = [{"source_record_id": f"T-{uscc}-{m}", "uscc": uscc, "source": "tax", "period": m, "tax_paid": "5000.00",
            "filed_on_time": True} for m in months]  # fmt: skip
    await ok(await c.post(urls["credit-data"] + "/v1/feeds/batch", json={"records": water}, headers=h("water-ly")))
    await ok(await c.post(urls["credit-data"] + "/v1/feeds/batch", json={"records": tax}, headers=h("tax-ly")))
    wl = urls["whitelist"] + "/v1"
    body = {"uscc": uscc, "name": f"基准企业{n}", "legal_representative": "李四", "industry_code": "C1391", "employees": 40,
            "revenue": "4000000.00", "total_assets": "2000000.00"}  # fmt: skip
    app_id = (await ok(await c.post(wl + "/applications", json=body, headers=h("dept-industry"))))["id"]
    for kind in MATERIALS:
        files = {"file": (f"{kind}.pdf", PDF, "application/pdf")}
        await ok(await c.put(f"{wl}/applications/{app_id}/materials/{kind}", files=files, headers=h("dept-industry")))
    await ok(await c.post(f"{wl}/applications/{app_id}/screen", json={}, headers=h("dept-industry")))

    async def credit_known() -> bool:
        view = await ok(await c.get(f"{wl}/applications/{app_id}", headers=h("fgj-credit")))
        return view["credit_verdict"]["passed"]

    await until(credit_known)
    for step, org in (("credit-check", "fgj-credit"), ("review", "lg-office"), ("conclude", "lg-office")):
        await ok(await c.post(f"{wl}/applications/{app_id}/{step}", json={}, headers=h(org)))
    cl = urls["claims"] + "/v1"
    # The bank reads the standing under the enterprise's authorisation (given in credit-data, carried to claims).
    own = {"Authorization": f"Bearer {issue_token(DEV_AUTH_SECRET, org_id=uscc, role=Role.ENTERPRISE)}"}
    grant = await ok(await c.post(urls["credit-data"] + "/v1/self/authorisations", headers=own, json={
        "bank_id": bank, "purpose": "loan application", "valid_until": (today_shanghai() + timedelta(days=30)).isoformat()}))
    ask = {"purpose": "loan application", "authorisation_ref": grant["ref"]}

    async def standing() -> bool:
        response = await c.get(f"{cl}/enterprises/{uscc}/standing", params=ask, headers=h(bank))
        if response.status_code == 403:
            return False  # the authorisation has not reached claims yet
        view = await ok(response)
        return view["listed"] and view["grade"] in {"AAA", "AA", "A"}

    await until(standing)
    issued = today_shanghai()
    loan = {"bank_loan_no": f"B-{uscc}", "uscc": uscc, "principal": "100000.00", "annual_rate": "3.9",
            "issued_on": issued.isoformat(), "matures_on": (issued + timedelta(days=365)).isoformat(),
            "purpose": "流动资金", "purpose_category": "working_capital", "loan_type": "pure_credit",
            "through_platform": True, "first_loan": True}  # fmt: skip
    registered = await ok(await c.post(cl + "/loans", json=loan, headers=h(bank)))
    assert registered["covered"], registered
    lid = registered["loan_id"]
    await ok(await c.post(f"{cl}/loans/{lid}/overdue", json={"days_past_due": 1, "overdue_principal": "100000.00", "as_of": issued.isoformat()}, headers=h(bank)))
    await ok(await c.post(f"{cl}/loans/{lid}/classification", json={"category": "loss", "as_of": issued.isoformat()}, headers=h(bank)))
    materials = [{"kind": "art11_documents", "ref": "D1"}, {"kind": "loan_proof", "ref": "D2"}]
    claim = await ok(await c.post(cl + "/claims", json={"loan_id": lid, "materials": materials}, headers=h(bank)))
    return claim["claim_id"]


HOPS = (  # (name, from, to): the path of one claim, each step's timestamp from the services' own tables
    ("claims_outbox_to_broker", "claims_outbox", "claims_sent"),
    ("broker_to_ledger_inbox", "claims_sent", "ledger_inbox"),
    ("ledger_handler_to_outbox", "ledger_inbox", "ledger_outbox"),
    ("ledger_outbox_to_broker", "ledger_outbox", "ledger_sent"),
    ("broker_to_claims_inbox", "ledger_sent", "claims_inbox"),
    ("claims_handler", "claims_inbox", "claims_paid"),
)


def _hops(workdir: Path) -> dict[str, dict[str, datetime]]:
    """Per claim: when its ClaimApproved entered the claims outbox, was sent, reached the ledger's inbox;
    when the CompensationPaid entered the ledger's outbox, was sent, reached the claims inbox."""
    at = datetime.fromisoformat
    hops: dict[str, dict[str, datetime]] = {}
    with sqlite3.connect(workdir / "claims.db") as claims, sqlite3.connect(workdir / "fund-ledger.db") as ledger:
        approved = {}
        for event_id, envelope, created, sent_at in claims.execute(
                "SELECT event_id, envelope, created_at, sent_at FROM outbox WHERE type = 'ClaimApproved'"):
            claim_id = json.loads(envelope)["payload"]["claim_id"]
            approved[event_id] = claim_id
            hops[claim_id] = {"claims_outbox": at(created), "claims_sent": at(sent_at)}
        for event_id, handled in ledger.execute("SELECT event_id, handled_at FROM inbox WHERE type = 'ClaimApproved'"):
            if event_id in approved:
                hops[approved[event_id]]["ledger_inbox"] = at(handled)
        paid_events = {}
        for event_id, envelope, created, sent_at in ledger.execute(
                "SELECT event_id, envelope, created_at, sent_at FROM outbox WHERE type = 'CompensationPaid'"):
            claim_id = json.loads(envelope)["payload"]["claim_id"]
            paid_events[event_id] = claim_id
            if claim_id in hops:
                hops[claim_id] |= {"ledger_outbox": at(created), "ledger_sent": at(sent_at)}
        for event_id, handled in claims.execute("SELECT event_id, handled_at FROM inbox WHERE type = 'CompensationPaid'"):
            if paid_events.get(event_id) in hops:
                hops[paid_events[event_id]]["claims_inbox"] = at(handled)
    return hops


def _hop_p50(hops: dict[str, dict[str, datetime]], claim_ids: list[str]) -> dict[str, float]:
    """The median of each hop over these claims, in ms."""
    return {
        name: statistics.median((hops[c][end] - hops[c][start]).total_seconds() * 1000 for c in claim_ids)
        for name, start, end in HOPS
    }


def _latency_ms(view: dict, sent: dict[str, datetime]) -> float:
    paid = datetime.fromisoformat(view["paid_recorded_at"]).replace(tzinfo=None)
    return (paid - sent[view["claim_id"]].replace(tzinfo=None)).total_seconds() * 1000


async def _one_at_a_time(c: httpx.AsyncClient, urls: dict[str, str], *, claims: int) -> list[dict]:
    """Claims approved alone (a batch of one each), so the figure shows the path without queueing."""
    cl = urls["claims"] + "/v1"
    views = []
    for n in range(claims):
        bank = BANKS[n % len(BANKS)]
        cid = await enterprise_to_claim(c, urls, 10_000 + n, bank)
        batch = (await ok(await c.get(f"{cl}/claims/{cid}", headers=h(bank))))["batch_id"]
        await ok(await c.post(f"{cl}/batches/{batch}/close", headers=h("lg-office")))
        await ok(await c.post(f"{cl}/claims/{cid}/preliminary-review", json={"decision": "pass"}, headers=h("lg-office")))
        await ok(await c.post(f"{cl}/claims/{cid}/approval", json={"decision": "approve"}, headers=h("lg")))
        await ok(await c.post(f"{cl}/batches/{batch}/notice", headers=h("lg-office")))
        await ok(await c.post(f"{cl}/batches/{batch}/notice/close", headers=h("lg-office")))

        async def paid(cid: str = cid, bank: str = bank) -> dict | None:
            view = await ok(await c.get(f"{cl}/claims/{cid}", headers=h(bank)))
            return view if view["state"] == "paid" else None

        views.append(await until(paid))
    return views


async def run(stack: Stack) -> dict[str, float]:
    urls = stack.urls
    sem = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=60) as c:
        capital = {"reference": "cap-bench", "amount": "10000000.00"}
        declared = await ok(await c.post(urls["fund-ledger"] + "/v1/deposits/initial-capital", json=capital, headers=h("czj")))
        await ok(await c.post(urls["fund-ledger"] + f"/v1/transfers/{declared['id']}/confirmation", json={}, headers=h("czj-checker")))
        for bank in BANKS:
            docs = {k: "d" for k in ("business_licence", "legal_person_certificate", "code_certificate", "articles_of_association", "tax_registration")}
            await ok(await c.post(urls["claims"] + "/v1/banks", json={"bank_id": bank, "name": bank, "admitted_on": "2026-01-01", "agreement_ref": "AG", "documents": docs}, headers=h("lg-office")))
            await ok(await c.post(urls["claims"] + f"/v1/banks/{bank}/products", json={"name": "p", "description": "d", "max_amount": "500000.00", "max_term_months": 24}, headers=h(bank)))

        async def one(n: int) -> str:
            async with sem:
                return await enterprise_to_claim(c, urls, n, BANKS[n % len(BANKS)])

        setup_started = time.monotonic()
        claim_ids = await asyncio.gather(*(one(n) for n in range(CLAIMS)))
        setup_s = time.monotonic() - setup_started
        cl = urls["claims"] + "/v1"
        batch = (await ok(await c.get(f"{cl}/claims/{claim_ids[0]}", headers=h(BANKS[0]))))["batch_id"]
        await ok(await c.post(f"{cl}/batches/{batch}/close", headers=h("lg-office")))

        async def review(cid: str) -> None:
            async with sem:
                await ok(await c.post(f"{cl}/claims/{cid}/preliminary-review", json={"decision": "pass"}, headers=h("lg-office")))
                await ok(await c.post(f"{cl}/claims/{cid}/approval", json={"decision": "approve"}, headers=h("lg")))

        await asyncio.gather(*(review(cid) for cid in claim_ids))
        await ok(await c.post(f"{cl}/batches/{batch}/notice", headers=h("lg-office")))
        approved_at = time.monotonic()
        await ok(await c.post(f"{cl}/batches/{batch}/notice/close", headers=h("lg-office")))

        done: dict[str, dict] = {}

        async def all_paid() -> list[dict] | None:
            # Poll only what is still open, and gently: the poller shares the services' two cores.
            await asyncio.sleep(0.2)
            for i, cid in enumerate(claim_ids):
                if cid not in done:
                    view = await ok(await c.get(f"{cl}/claims/{cid}", headers=h(BANKS[i % len(BANKS)])))
                    if view["state"] not in {"paid", "blocked"}:
                        return None
                    done[cid] = view
            return [done[cid] for cid in claim_ids]

        views = await until(all_paid, timeout_s=120)
        drain_s = time.monotonic() - approved_at
        singles = await _one_at_a_time(c, urls, claims=SINGLES)
    blocked = [v for v in views if v["state"] != "paid"]
    if blocked:
        raise RuntimeError(f"{len(blocked)} claims were not paid: {blocked[0]}")
    claim_hops = _hops(stack.workdir)
    sent = {c: hops["claims_sent"] for c, hops in claim_hops.items()}
    latencies = sorted(_latency_ms(v, sent) for v in views)
    single_latencies = sorted(_latency_ms(v, sent) for v in singles)
    batch_ids = [v["claim_id"] for v in views]
    single_ids = [v["claim_id"] for v in singles]
    paid = {v["claim_id"]: datetime.fromisoformat(v["paid_recorded_at"]).replace(tzinfo=None) for v in [*views, *singles]}
    for cid, at in paid.items():
        claim_hops[cid]["claims_paid"] = at
    # From the first approval of the batch entering the claims outbox to the last claim recorded paid, from
    # the services' own timestamps (the HTTP poller above only notices later).
    batch_s = (max(paid[c] for c in batch_ids) - min(claim_hops[c]["claims_outbox"] for c in batch_ids)).total_seconds()
    return {
        "single_p50": statistics.median(single_latencies),
        "single_max": single_latencies[-1],
        "hops": {"single": _hop_p50(claim_hops, single_ids), "batch": _hop_p50(claim_hops, batch_ids)},
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "max": latencies[-1],
        "drain_s": batch_s,
        "noticed_s": drain_s,
        "setup_s": setup_s,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="xyd-bench-e2e-") as workdir:
        stack = Stack(Path(workdir))
        try:
            ready_s = stack.wait_ready(60)
            figures = asyncio.run(run(stack))
        finally:
            stack.stop()
    print(f"e2e.claim_to_payment.p50_ms: {figures['p50']:.1f} ms")
    print(f"e2e.claim_to_payment.p99_ms: {figures['p99']:.1f} ms")
    print(f"e2e.claim_to_payment.max_ms: {figures['max']:.1f} ms")
    for kind, hops in figures["hops"].items():
        for name, value in hops.items():
            print(f"e2e.hop.{kind}.{name}_p50_ms: {value:.1f} ms")
    print(f"e2e.claim_to_payment.single_p50_ms: {figures['single_p50']:.1f} ms")
    print(f"e2e.claim_to_payment.single_max_ms: {figures['single_max']:.1f} ms")
    print(f"e2e.claim_to_payment.claims: {CLAIMS} claims")
    print(f"e2e.batch_of_{CLAIMS}_approved_to_all_paid_s: {figures['drain_s']:.2f} s")
    print(f"e2e.batch_claims_per_s: {CLAIMS / figures['drain_s']:.0f} claims/s")
    print(f"e2e.batch_of_{CLAIMS}_noticed_all_paid_by_poller_s: {figures['noticed_s']:.2f} s")
    print(f"e2e.setup_{CLAIMS}_enterprises_to_claims_s: {figures['setup_s']:.1f} s")
    print(f"e2e.stack_ready_s: {ready_s:.2f} s")


if __name__ == "__main__":
    main()
