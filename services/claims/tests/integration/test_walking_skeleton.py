"""Issue 2's claims slice over HTTP: loan, overdue, loss, claim, officers approve, CompensationPaid marks paid."""

from datetime import UTC, datetime

from sqlalchemy import select
from xinyidai_shared.events import CompensationPaid

from claims.adapters.tables import messaging

from xinyidai_shared.events import CreditRatingChanged

from .helpers import GROUP, JRJ, LG, admit, bank_headers, deliver, loan_body, seed_good_standing, uscc


async def outbox_types(app) -> list[str]:  # noqa: ANN001
    async with app.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(messaging.outbox.c.type).order_by(messaging.outbox.c.seq))).all()
    return [r.type for r in rows]


async def approved_claim(app, client, bank="bank-ws"):  # noqa: ANN001, ANN201
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, bank)
    headers = bank_headers(bank)
    loan = (await client.post("/v1/loans", headers=headers, json=loan_body(code, f"NO-{code}"))).json()
    assert loan["covered"], loan["eligibility"]
    lid = loan["loan_id"]
    r = await client.post(f"/v1/loans/{lid}/overdue", headers=headers,
                          json={"days_past_due": 400, "overdue_principal": "1000000.00", "as_of": "2027-06-30"})
    assert r.status_code == 200, r.text
    r = await client.post(f"/v1/loans/{lid}/classification", headers=headers, json={"category": "loss", "as_of": "2027-06-30"})
    assert r.json()["status"]["principal_at_loss"] == "1000000.00"
    r = await client.post("/v1/claims", headers=headers, json={
        "loan_id": lid, "materials": [{"kind": "art11_documents", "ref": "d1"}, {"kind": "loan_proof", "ref": "d2"}]})
    assert r.status_code == 201, r.text
    claim = r.json()
    cid, bid = claim["claim_id"], claim["batch_id"]
    assert claim["expected"]["expected"] == "300000.00"
    assert (await client.post(f"/v1/batches/{bid}/close", headers=LG)).status_code == 200
    r = await client.post(f"/v1/claims/{cid}/preliminary-review", headers=LG, json={"decision": "doubt", "note": "check proof"})
    assert r.json()["state"] == "awaiting_verification"
    r = await client.post(f"/v1/claims/{cid}/verification", headers=JRJ, json={"decision": "confirm", "note": "ok"})
    r = await client.post(f"/v1/claims/{cid}/approval", headers=GROUP, json={"decision": "approve"})
    assert r.json()["state"] == "awaiting_notice", r.text
    assert (await client.post(f"/v1/batches/{bid}/notice", headers=LG)).json()["state"] == "on_notice"
    r = await client.post(f"/v1/batches/{bid}/notice/close", headers=LG)
    assert r.json()["approved_claim_ids"] == [cid], r.text
    return cid, headers


async def test_claim_travels_from_loan_to_approved_and_publishes_each_event(app, client):
    cid, headers = await approved_claim(app, client)
    claim = (await client.get(f"/v1/claims/{cid}", headers=headers)).json()
    assert claim["state"] == "approved" and claim["approved_at"] is not None
    assert [s["step"] for s in claim["steps"]] == ["preliminary_review", "verification", "approval", "notice", "notice"]
    assert await outbox_types(app) == ["LoanRegistered", "LoanOverdue", "LoanClassifiedAsLoss", "ClaimSubmitted",
                                       "ClaimApproved"]


async def test_compensation_paid_marks_the_claim_paid_once_with_both_times(app, client):
    cid, headers = await approved_claim(app, client)
    claim = (await client.get(f"/v1/claims/{cid}", headers=headers)).json()
    paid_at = datetime(2027, 7, 1, 3, tzinfo=UTC)
    event = CompensationPaid(claim_id=cid, loan_id=claim["loan_id"], bank_id=claim["bank_id"], uscc=claim["uscc"],
                             amount_fen=300_000_00, transfer_id="tr-1", paid_at=paid_at)
    await deliver(app, event)
    await deliver(app, event)  # a replay under a new event id changes nothing
    claim = (await client.get(f"/v1/claims/{cid}", headers=headers)).json()
    assert claim["state"] == "paid" and claim["paid_amount"] == "300000.00"
    assert claim["paid_at"].startswith("2027-07-01T03:00") and claim["paid_recorded_at"] is not None


async def test_loan_registration_is_idempotent_by_bank_loan_number(app, client):
    code = uscc()
    await admit(client, "bank-idem")
    headers = bank_headers("bank-idem")
    first = await client.post("/v1/loans", headers=headers, json=loan_body(code, "IDEM-1"))
    again = await client.post("/v1/loans", headers=headers, json=loan_body(code, "IDEM-1"))
    other = await client.post("/v1/loans", headers=headers, json=loan_body(code, "IDEM-1", principal="5.00"))
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert other.headers["content-type"].startswith("application/problem+json")
    assert (await outbox_types(app)).count("LoanRegistered") == 1


async def test_idempotency_key_with_another_body_is_refused(app, client):
    code = uscc()
    await admit(client, "bank-key")
    headers = {**bank_headers("bank-key"), "Idempotency-Key": "k-1"}
    first = await client.post("/v1/loans", headers=headers, json=loan_body(code, "KEY-1"))
    replay = await client.post("/v1/loans", headers=headers, json=loan_body(code, "KEY-1"))
    other = await client.post("/v1/loans", headers=headers, json=loan_body(code, "KEY-2"))
    assert first.status_code == 201 and replay.json() == first.json()
    assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_payment_for_an_unknown_claim_is_refused_so_the_runner_parks_it(app):
    import pytest
    from xinyidai_shared.errors import NotFound

    event = CompensationPaid(claim_id="cl_missing", loan_id="ln_x", bank_id="bank-x", uscc="X", amount_fen=1,
                             transfer_id="t", paid_at=datetime(2027, 7, 1, tzinfo=UTC))
    with pytest.raises(NotFound):
        await deliver(app, event)
    async with app.state.runtime.db.read_session() as session:
        inbox = (await session.execute(select(messaging.inbox.c.event_id))).all()
    assert inbox == []  # the refusal rolled back the inbox row with it: a retry will try again


async def test_same_day_downgrade_after_registration_does_not_void_the_claim(sqlite_url):
    """The demo's compressed day: listed and rated A in the morning, loan registered, then the loan's own
    default downgrades the enterprise the same day. Issuance standing is what was known at registration."""
    from datetime import timedelta

    from xinyidai_shared.clock import business_date
    from xinyidai_shared.events import EnterpriseDelisted

    from .helpers import Clock, build
    from xinyidai_shared.testing import app_client

    clock = Clock(datetime.now(UTC))
    today = business_date(clock.now)
    application = build(sqlite_url, clock)
    async with app_client(application) as client:
        code = uscc()
        await seed_good_standing(application, code, listed_on=today)
        await admit(client, "bank-sameday")
        headers = bank_headers("bank-sameday")
        clock.now = datetime.now(UTC)  # registration happens after the morning's recommendation arrived
        body = loan_body(code, "SAME-1", issued_on=today.isoformat(), matures_on=(today + timedelta(days=365)).isoformat())
        loan = (await client.post("/v1/loans", headers=headers, json=body)).json()
        assert loan["covered"], loan["eligibility"]
        await deliver(application, CreditRatingChanged(uscc=code, grade="B", previous_grade="A", model_version="t1",
                                                       has_report=True, valid_from=datetime.now(UTC)))
        await deliver(application, EnterpriseDelisted(uscc=code, reason_code="RATING_BELOW_A", reason="downgrade",
                                                      suspended=True, delisted_on=today))
        lid = loan["loan_id"]
        await client.post(f"/v1/loans/{lid}/overdue", headers=headers,
                          json={"days_past_due": 1, "overdue_principal": "1000000.00", "as_of": today.isoformat()})
        await client.post(f"/v1/loans/{lid}/classification", headers=headers, json={"category": "loss", "as_of": today.isoformat()})
        claim = await client.post("/v1/claims", headers=headers, json={
            "loan_id": lid, "materials": [{"kind": "art11_documents", "ref": "d1"}, {"kind": "loan_proof", "ref": "d2"}]})
        assert claim.status_code == 201, claim.text
        standing_now = (await client.get(f"/v1/enterprises/{code}/standing", params={"purpose": "claim review"},
                                         headers=LG)).json()
        assert (standing_now["listed"], standing_now["grade"]) == (False, "B")  # today's view does show it
