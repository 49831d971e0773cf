"""Claims over HTTP: refusals at submission, rejections with articles, objections, clawback, recoveries."""

from datetime import UTC, datetime

from sqlalchemy import select
from xinyidai_shared.events import CompensationBlocked, CompensationPaid

from claims.adapters.tables import messaging

from .helpers import GROUP, CZJ, CZJ_CHECKER, JRJ, LG, admit, bank_headers, build, deliver, loan_body, seed_good_standing, uscc
from xinyidai_shared.testing import auth, app_client

MATERIALS = [{"kind": "art11_documents", "ref": "d1"}, {"kind": "loan_proof", "ref": "d2"}]


async def loss_loan(app, client, bank: str, *, classify: bool = True, **changes) -> str:  # noqa: ANN001
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, bank)
    headers = bank_headers(bank)
    loan = (await client.post("/v1/loans", headers=headers, json=loan_body(code, f"N-{code}", **changes))).json()
    if classify:
        r = await client.post(f"/v1/loans/{loan['loan_id']}/classification", headers=headers,
                              json={"category": "loss", "as_of": "2027-06-30"})
        assert r.status_code == 200, r.text
    return loan["loan_id"]


async def claim_for(client, bank: str, loan_id: str, **extra):  # noqa: ANN001, ANN201
    return await client.post("/v1/claims", headers=bank_headers(bank), json={"loan_id": loan_id, "materials": MATERIALS, **extra})


async def test_claim_on_a_loan_not_classified_as_loss_is_refused(app, client):
    lid = await loss_loan(app, client, "bank-c1", classify=False)
    r = await claim_for(client, "bank-c1", lid)
    assert (r.status_code, r.json()["code"]) == (422, "CLAIM_TRIGGER_NOT_MET")


async def test_claim_on_an_uncovered_loan_is_refused_with_the_failed_rules(app, client):
    lid = await loss_loan(app, client, "bank-c2", purpose_category="real_estate_development")
    r = await claim_for(client, "bank-c2", lid)
    assert (r.status_code, r.json()["code"]) == (422, "LOAN_NOT_COVERED")
    assert [f["rule"] for f in r.json()["failures"]] == ["PURPOSE"]


async def test_first_claim_needs_the_institution_documents_of_art16(app, client):
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, "bank-docs", with_documents=False)
    headers = bank_headers("bank-docs")
    loan = (await client.post("/v1/loans", headers=headers, json=loan_body(code, "D-1"))).json()
    await client.post(f"/v1/loans/{loan['loan_id']}/classification", headers=headers, json={"category": "loss", "as_of": "2027-06-30"})
    refused = await claim_for(client, "bank-docs", loan["loan_id"])
    assert (refused.status_code, refused.json()["code"]) == (400, "INSTITUTION_DOCUMENTS_MISSING")
    docs = {k: "ref" for k in ("business_licence", "legal_person_certificate", "code_certificate",
                               "articles_of_association", "tax_registration")}
    accepted = await claim_for(client, "bank-docs", loan["loan_id"], institution_documents=docs)
    assert accepted.status_code == 201, accepted.text


async def test_materials_of_art16_are_required(app, client):
    lid = await loss_loan(app, client, "bank-mat")
    r = await client.post("/v1/claims", headers=bank_headers("bank-mat"),
                          json={"loan_id": lid, "materials": [{"kind": "loan_proof", "ref": "x"}]})
    assert (r.status_code, r.json()["code"]) == (400, "MATERIALS_MISSING")


async def test_second_claim_on_the_same_loan_replays_by_its_key_or_conflicts(app, client):
    lid = await loss_loan(app, client, "bank-dup")
    keyed = {**bank_headers("bank-dup"), "Idempotency-Key": "claim-1"}
    body = {"loan_id": lid, "materials": MATERIALS}
    first = await client.post("/v1/claims", headers=keyed, json=body)
    again = await client.post("/v1/claims", headers=keyed, json=body)
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    unkeyed = await claim_for(client, "bank-dup", lid)
    other = await client.post("/v1/claims", headers=bank_headers("bank-dup"),
                              json={"loan_id": lid, "materials": [*MATERIALS, {"kind": "other", "ref": "z"}]})
    for refused in (unkeyed, other):
        assert (refused.status_code, refused.json()["code"]) == (409, "CLAIM_EXISTS")
        assert refused.json()["claim_id"] == first.json()["claim_id"]


async def test_art13_rejection_carries_its_article_and_a_bank_cannot_review(app, client):
    lid = await loss_loan(app, client, "bank-rej")
    claim = (await claim_for(client, "bank-rej", lid)).json()
    await client.post(f"/v1/batches/{claim['batch_id']}/close", headers=LG)
    by_bank = await client.post(f"/v1/claims/{claim['claim_id']}/preliminary-review", headers=bank_headers("bank-rej"),
                                json={"decision": "pass"})
    assert by_bank.status_code == 403
    r = await client.post(f"/v1/claims/{claim['claim_id']}/preliminary-review", headers=LG, json={
        "decision": "reject", "reasons": [{"code": "ART13_EXCLUSION", "text": "loan approved against bank rules"}]})
    assert r.json()["state"] == "rejected"
    assert r.json()["reasons"] == [{"code": "ART13_EXCLUSION", "article": "Measures art.13",
                                    "text": "loan approved against bank rules"}]


async def test_review_before_the_batch_is_closed_is_refused(app, client):
    lid = await loss_loan(app, client, "bank-open")
    claim = (await claim_for(client, "bank-open", lid)).json()
    r = await client.post(f"/v1/claims/{claim['claim_id']}/preliminary-review", headers=LG, json={"decision": "pass"})
    assert (r.status_code, r.json()["code"]) == (409, "BATCH_STILL_OPEN")


async def test_the_office_pre_reviews_and_only_another_organisation_of_the_leading_group_approves(app, client):
    """Art.17.2: the office's credential cannot approve; an organisation holding both roles cannot do both steps."""
    lid = await loss_loan(app, client, "bank-sep")
    claim = (await claim_for(client, "bank-sep", lid)).json()
    cid = claim["claim_id"]
    await client.post(f"/v1/batches/{claim['batch_id']}/close", headers=LG)
    await client.post(f"/v1/claims/{cid}/preliminary-review", headers=auth("leading_group_office", "lg-office", subject="li"),
                      json={"decision": "pass"})
    by_office = await client.post(f"/v1/claims/{cid}/approval", headers=LG, json={"decision": "approve"})
    assert (by_office.status_code, by_office.json()["code"]) == (403, "ROLE_NOT_ALLOWED")
    same_org = await client.post(f"/v1/claims/{cid}/approval", headers=auth("leading_group", "lg-office"),
                                 json={"decision": "approve"})
    assert (same_org.status_code, same_org.json()["code"]) == (403, "SAME_ORG_REVIEW_AND_APPROVAL")
    approved = await client.post(f"/v1/claims/{cid}/approval", headers=auth("leading_group", "lg", subject="zhang"),
                                 json={"decision": "approve"})
    assert approved.status_code == 200 and approved.json()["state"] == "awaiting_notice"
    steps = [(s["step"], s["by_org"], s["by_actor"]) for s in approved.json()["steps"]]
    assert steps == [("preliminary_review", "lg-office", "li"), ("approval", "lg", "zhang")]


async def test_notice_waits_for_every_claim_of_the_batch_to_be_decided(app, client):
    lid1 = await loss_loan(app, client, "bank-n1")
    lid2 = await loss_loan(app, client, "bank-n2")
    c1 = (await claim_for(client, "bank-n1", lid1)).json()
    c2 = (await claim_for(client, "bank-n2", lid2)).json()
    assert c1["batch_id"] == c2["batch_id"]
    bid = c1["batch_id"]
    await client.post(f"/v1/batches/{bid}/close", headers=LG)
    await client.post(f"/v1/claims/{c1['claim_id']}/preliminary-review", headers=LG, json={"decision": "pass"})
    await client.post(f"/v1/claims/{c1['claim_id']}/approval", headers=GROUP, json={"decision": "approve"})
    r = await client.post(f"/v1/batches/{bid}/notice", headers=LG)
    assert (r.status_code, r.json()["code"], r.json()["claim_ids"]) == (409, "BATCH_UNDECIDED", [c2["claim_id"]])
    lid3 = await loss_loan(app, client, "bank-n3")
    assert (await claim_for(client, "bank-n3", lid3)).json()["batch_id"] != bid  # a closed batch takes no claims


async def test_upheld_objection_during_a_five_day_notice_rejects_the_claim(sqlite_url, clock):
    app = build(sqlite_url, clock, notice_working_days=5)
    async with app_client(app) as client:
        lid = await loss_loan(app, client, "bank-obj")
        claim = (await claim_for(client, "bank-obj", lid)).json()
        cid, bid = claim["claim_id"], claim["batch_id"]
        await client.post(f"/v1/batches/{bid}/close", headers=LG)
        await client.post(f"/v1/claims/{cid}/preliminary-review", headers=LG, json={"decision": "pass"})
        await client.post(f"/v1/claims/{cid}/approval", headers=GROUP, json={"decision": "approve"})
        batch = (await client.post(f"/v1/batches/{bid}/notice", headers=LG)).json()
        assert batch["notice_ends_on"] == "2027-07-07"  # Thu 1 July + 5 working days, weekend skipped
        early = await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
        assert (early.status_code, early.json()["code"]) == (409, "NOTICE_NOT_OVER")
        public = (await client.get("/v1/notices")).json()
        assert [n["claim_id"] for n in public] == [cid] and public[0]["proposed"] == "300000.00"
        objection = (await client.post(f"/v1/claims/{cid}/objections", json={"text": "the loan was secured"})).json()
        pending = await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
        assert pending.json()["code"] in ("OBJECTIONS_PENDING", "NOTICE_NOT_OVER")
        await client.post(f"/v1/objections/{objection['objection_id']}/resolution", headers=LG,
                          json={"decision": "upheld", "note": "mortgage contract found"})
        clock.advance(7)
        done = await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
        assert done.json()["approved_claim_ids"] == []
        assert (await client.get(f"/v1/claims/{cid}", headers=LG)).json()["reasons"][0]["code"] == "OBJECTION_UPHELD"


async def approved(app, client, bank: str) -> dict:  # noqa: ANN001
    lid = await loss_loan(app, client, bank)
    claim = (await claim_for(client, bank, lid)).json()
    cid, bid = claim["claim_id"], claim["batch_id"]
    await client.post(f"/v1/batches/{bid}/close", headers=LG)
    await client.post(f"/v1/claims/{cid}/preliminary-review", headers=LG, json={"decision": "pass"})
    await client.post(f"/v1/claims/{cid}/approval", headers=GROUP, json={"decision": "approve"})
    await client.post(f"/v1/batches/{bid}/notice", headers=LG)
    await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
    return (await client.get(f"/v1/claims/{cid}", headers=LG)).json()


async def test_blocked_then_paid_and_recoveries_reported_once(app, client):
    claim = await approved(app, client, "bank-rec")
    ids = {k: claim[k] for k in ("claim_id", "loan_id", "bank_id", "uscc")}
    await deliver(app, CompensationBlocked(**ids, reason_code="FUND_INSUFFICIENT", reason="waiting for a deposit"))
    assert (await client.get(f"/v1/claims/{claim['claim_id']}", headers=LG)).json()["state"] == "blocked"
    body = {"bank_ref": "REC-1", "recovered": "50000.00", "costs": "2000.00", "reported_on": "2027-08-01"}
    early = await client.post(f"/v1/claims/{claim['claim_id']}/recoveries", headers=bank_headers("bank-rec"), json=body)
    assert early.json()["code"] == "CLAIM_NOT_COMPENSATED"
    await deliver(app, CompensationPaid(**ids, amount_fen=300_000_00, transfer_id="t-9",
                                        paid_at=datetime(2027, 7, 2, tzinfo=UTC)))
    first = await client.post(f"/v1/claims/{claim['claim_id']}/recoveries", headers=bank_headers("bank-rec"), json=body)
    again = await client.post(f"/v1/claims/{claim['claim_id']}/recoveries", headers=bank_headers("bank-rec"), json=body)
    other = await client.post(f"/v1/claims/{claim['claim_id']}/recoveries", headers=bank_headers("bank-rec"),
                              json={**body, "recovered": "1.00"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json() == first.json() and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_clawback_proposed_by_one_officer_and_confirmed_by_another_disqualifies_the_bank(app, client):
    """Maker-checker (issue 10 item 10): clawing back money is never one officer's act."""
    await approved(app, client, "bank-fraud")
    refused = await client.post("/v1/banks/bank-fraud/clawback", headers=LG, json={"reason": "forged loan proof"})
    assert refused.status_code == 403
    proposed = await client.post("/v1/banks/bank-fraud/clawback", headers=CZJ, json={"reason": "forged loan proof"})
    assert proposed.status_code == 201 and proposed.json()["status"] == "proposed"
    assert proposed.json()["proposed_by"] == "czj/wang"
    assert (await client.get("/v1/banks/bank-fraud", headers=CZJ)).json()["may_claim"] is True  # nothing yet
    own = await client.post("/v1/banks/bank-fraud/clawback/confirmation", headers=CZJ, json={})
    assert (own.status_code, own.json()["code"]) == (403, "SECOND_PERSON_REQUIRED")
    r = await client.post("/v1/banks/bank-fraud/clawback/confirmation", headers=CZJ_CHECKER, json={})
    assert r.status_code == 201 and r.json()["may_claim"] is False
    twice = await client.post("/v1/banks/bank-fraud/clawback", headers=CZJ, json={"reason": "forged loan proof"})
    assert (twice.status_code, twice.json()["code"]) == (409, "CLAWBACK_ALREADY_ORDERED")
    history = (await client.get("/v1/banks/bank-fraud/clawback", headers=CZJ)).json()
    assert [(p["status"], p["proposed_by"], p["decided_by"]) for p in history] == [("ordered", "czj/wang", "czj/li")]
    async with app.state.runtime.db.read_session() as session:
        types = [row.type for row in (await session.execute(select(messaging.outbox.c.type))).all()]
    assert types.count("ClawbackOrdered") == 1
    lid = await loss_loan(app, client, "bank-fraud")
    blocked = await claim_for(client, "bank-fraud", lid)
    assert (blocked.status_code, blocked.json()["code"]) == (403, "BANK_DISQUALIFIED")


async def test_a_declined_clawback_proposal_leaves_the_bank_eligible(app, client):
    await admit(client, "bank-doubt")
    await client.post("/v1/banks/bank-doubt/clawback", headers=CZJ, json={"reason": "suspected forgery"})
    again = await client.post("/v1/banks/bank-doubt/clawback", headers=CZJ_CHECKER, json={"reason": "another ground"})
    assert (again.status_code, again.json()["code"]) == (409, "CLAWBACK_ALREADY_PROPOSED")
    declined = await client.post("/v1/banks/bank-doubt/clawback/rejection", headers=CZJ_CHECKER,
                                 json={"reason": "the documents were checked with the issuer"})
    assert declined.json()["status"] == "rejected"
    late = await client.post("/v1/banks/bank-doubt/clawback/confirmation", headers=CZJ_CHECKER, json={})
    assert (late.status_code, late.json()["code"]) == (404, "CLAWBACK_NOT_PROPOSED")
    assert (await client.get("/v1/banks/bank-doubt", headers=CZJ)).json()["may_claim"] is True
    async with app.state.runtime.db.read_session() as session:
        types = [row.type for row in (await session.execute(select(messaging.outbox.c.type))).all()]
    assert "ClawbackOrdered" not in types


async def test_bank_cap_used_up_refuses_a_new_claim(app, client):
    # Four approved claims of 500,000 each (principal 2,000,000 × 30% hits the per-loan cap) fill 2,000,000.
    for _ in range(4):
        await approved_big(app, client)
    lid = await loss_loan(app, client, "bank-cap", principal="2000000.00")
    r = await claim_for(client, "bank-cap", lid)
    assert (r.status_code, r.json()["code"]) == (422, "CAP_EXHAUSTED")


async def approved_big(app, client) -> None:  # noqa: ANN001
    lid = await loss_loan(app, client, "bank-cap", principal="2000000.00")
    claim = (await claim_for(client, "bank-cap", lid)).json()
    assert claim["expected"]["expected"] == "500000.00"
    cid, bid = claim["claim_id"], claim["batch_id"]
    await client.post(f"/v1/batches/{bid}/close", headers=LG)
    await client.post(f"/v1/claims/{cid}/preliminary-review", headers=LG, json={"decision": "pass"})
    await client.post(f"/v1/claims/{cid}/approval", headers=GROUP, json={"decision": "approve"})
    await client.post(f"/v1/batches/{bid}/notice", headers=LG)
    await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)


async def test_verification_is_only_for_the_financial_development_bureau(app, client):
    lid = await loss_loan(app, client, "bank-ver")
    claim = (await claim_for(client, "bank-ver", lid)).json()
    await client.post(f"/v1/batches/{claim['batch_id']}/close", headers=LG)
    await client.post(f"/v1/claims/{claim['claim_id']}/preliminary-review", headers=LG, json={"decision": "doubt", "note": "?"})
    assert (await client.post(f"/v1/claims/{claim['claim_id']}/verification", headers=LG,
                              json={"decision": "confirm"})).status_code == 403
    r = await client.post(f"/v1/claims/{claim['claim_id']}/verification", headers=JRJ, json={
        "decision": "reject", "reasons": [{"code": "VERIFICATION_FAILED", "text": "no disbursement record"}]})
    assert r.json()["state"] == "rejected" and r.json()["reasons"][0]["article"] == "Measures art.17.2"


async def test_claims_and_batches_are_listed_by_state_and_a_bank_sees_only_its_own(app, client):
    mine = await approved(app, client, "bank-list-a")
    lid = await loss_loan(app, client, "bank-list-b")
    theirs = (await claim_for(client, "bank-list-b", lid)).json()
    own = (await client.get("/v1/claims", headers=bank_headers("bank-list-a"))).json()
    assert [c["claim_id"] for c in own] == [mine["claim_id"]]
    approved_ids = [c["claim_id"] for c in (await client.get("/v1/claims", params={"state": "approved"}, headers=LG)).json()]
    assert mine["claim_id"] in approved_ids and theirs["claim_id"] not in approved_ids
    forbidden = await client.get(f"/v1/claims/{theirs['claim_id']}", headers=bank_headers("bank-list-a"))
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "NOT_YOUR_CLAIM")
    batches = (await client.get("/v1/batches", headers=JRJ)).json()
    assert {b["state"] for b in batches} >= {"done", "open"}
    assert (await client.get("/v1/batches", headers=bank_headers("bank-list-a"))).status_code == 403


async def test_a_recovery_reference_used_for_another_claim_is_refused_not_replayed(app, client):
    bank = "bank-rec2"
    claims = [await approved(app, client, bank) for _ in range(2)]
    for claim in claims:
        ids = {k: claim[k] for k in ("claim_id", "loan_id", "bank_id", "uscc")}
        await deliver(app, CompensationPaid(**ids, amount_fen=300_000_00, transfer_id=f"t-{claim['claim_id']}",
                                            paid_at=datetime(2027, 7, 2, tzinfo=UTC)))
    body = {"bank_ref": "REC-SAME", "recovered": "50000.00", "costs": "0.00", "reported_on": "2027-08-01"}
    first = await client.post(f"/v1/claims/{claims[0]['claim_id']}/recoveries", headers=bank_headers(bank), json=body)
    other = await client.post(f"/v1/claims/{claims[1]['claim_id']}/recoveries", headers=bank_headers(bank), json=body)
    assert (first.status_code, other.status_code) == (201, 409)
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_an_idempotency_key_reused_on_another_loan_is_refused_not_answered_with_the_first_loan(app, client):
    bank = "bank-key2"
    first_loan, second_loan = [await loss_loan(app, client, bank, classify=False) for _ in range(2)]
    headers = {**bank_headers(bank), "Idempotency-Key": "k-same"}
    body = {"category": "loss", "as_of": "2027-06-30"}
    first = await client.post(f"/v1/loans/{first_loan}/classification", headers=headers, json=body)
    again = await client.post(f"/v1/loans/{first_loan}/classification", headers=headers, json=body)
    other = await client.post(f"/v1/loans/{second_loan}/classification", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (200, 200) and again.json() == first.json()
    assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    second = (await client.get(f"/v1/loans/{second_loan}", headers=bank_headers(bank))).json()
    assert second["loan_id"] == second_loan and second["status"]["category"] != "loss"
