"""fund-ledger's HTTP API on the real app: money in, reading the books, auth, problem+json."""

import pytest
from xinyidai_shared.testing import deliver as deliver_to


from ..conftest import approved, interest

pytestmark = pytest.mark.asyncio


def czj(api):
    return api.as_org("czj", "finance_bureau")


async def deliver(api, payload):
    await deliver_to(api.app, payload)


async def test_initial_capital_deposit_then_fund_balance_shows_it(api):
    response = await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-2026", "amount": "10000000.00"}, headers=czj(api))
    assert response.status_code == 201, response.text
    assert response.json()["amount"] == "10000000.00"
    fund = (await api.get("/v1/fund", headers=czj(api))).json()
    assert fund["cash"] == "10000000.00"


async def test_same_transfer_id_and_body_replays_and_other_body_is_refused(api):
    body = {"transfer_id": "cap-x", "amount": "100.00"}
    first = await api.post("/v1/deposits/initial-capital", json=body, headers=czj(api))
    again = await api.post("/v1/deposits/initial-capital", json=body, headers=czj(api))
    other = await api.post("/v1/deposits/initial-capital", json={**body, "amount": "200.00"}, headers=czj(api))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "TRANSFER_ID_REUSED"
    assert (await api.get("/v1/fund", headers=czj(api))).json()["cash"] == "100.00"


async def test_second_initial_capital_with_another_id_is_refused(api):
    await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-a", "amount": "1.00"}, headers=czj(api))
    response = await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-b", "amount": "1.00"}, headers=czj(api))
    assert (response.status_code, response.json()["code"]) == (409, "INITIAL_CAPITAL_ALREADY_DEPOSITED")


@pytest.mark.parametrize("amount", [10000000, "1.234", "-5.00", "abc"])
async def test_money_that_is_not_exact_yuan_text_is_a_422_and_writes_nothing(api, amount):
    response = await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-1", "amount": amount}, headers=czj(api))
    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_FAILED")
    assert (await api.get("/v1/fund", headers=czj(api))).json()["cash"] == "0.00"


async def test_no_credential_is_401_and_a_bank_cannot_deposit_capital(api):
    body = {"transfer_id": "cap-1", "amount": "1.00"}
    assert (await api.post("/v1/deposits/initial-capital", json=body)).status_code == 401
    bank = api.as_org("bank-icbc-ly", "bank")
    assert (await api.post("/v1/deposits/initial-capital", json=body, headers=bank)).status_code == 403


async def test_fiscal_revenue_makes_twenty_percent_due_and_its_payment_settles_it(api):
    due = await api.post("/v1/fiscal-revenues", json={"year": 2026, "revenue": "5000000.00"}, headers=czj(api))
    assert due.status_code == 201, due.text
    assert (due.json()["amount"], due.json()["outstanding"]) == ("1000000.00", "1000000.00")
    paid = await api.post("/v1/dues/fiscal:2026/payments", json={"transfer_id": "fis-1", "amount": "1000000.00"}, headers=czj(api))
    assert paid.status_code == 201, paid.text
    over = await api.post("/v1/dues/fiscal:2026/payments", json={"transfer_id": "fis-2", "amount": "0.01"}, headers=czj(api))
    assert (over.status_code, over.json()["code"]) == (409, "DUE_OVERPAID")
    assert (await api.get("/v1/accounts/cash/balance", headers=czj(api))).json()["balance"] == "1000000.00"


async def test_bank_contribution_due_from_interest_income_is_paid_by_that_bank_only(api):
    await deliver(api, interest("bank-icbc-ly", income_fen=2_000_000_00, report_id="ir-1"))
    icbc, ccb = api.as_org("bank-icbc-ly", "bank"), api.as_org("bank-ccb-ly", "bank")
    dues = (await api.get("/v1/dues", headers=icbc)).json()
    assert [(d["id"], d["amount"]) for d in dues] == [("contribution:ir-1", "100000.00")]
    assert (await api.get("/v1/dues", headers=ccb)).json() == []
    foreign = await api.post("/v1/dues/contribution:ir-1/payments", json={"transfer_id": "c1", "amount": "100000.00"}, headers=ccb)
    assert foreign.status_code == 403
    own = await api.post("/v1/dues/contribution:ir-1/payments", json={"transfer_id": "c1", "amount": "100000.00"}, headers=icbc)
    assert own.status_code == 201


async def test_claim_approved_pays_and_bank_position_shows_cap_left(api):
    await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap", "amount": "10000000.00"}, headers=czj(api))
    await deliver(api, approved(bank_id="bank-icbc-ly", principal_fen=1_000_000_00))
    icbc = api.as_org("bank-icbc-ly", "bank")
    position = (await api.get("/v1/banks/bank-icbc-ly/position", headers=icbc)).json()
    assert (position["paid"], position["cap_left"]) == ("300000.00", "1700000.00")
    assert (await api.get("/v1/banks/bank-ccb-ly/position", headers=icbc)).status_code == 403
    fund = (await api.get("/v1/fund", headers=czj(api))).json()
    assert (fund["cash"], fund["compensation_paid"]) == ("9700000.00", "300000.00")


async def test_journal_pages_with_a_cursor_and_filters(api):
    await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap", "amount": "10000000.00"}, headers=czj(api))
    for _ in range(3):
        await deliver(api, approved(bank_id="bank-icbc-ly", principal_fen=100_00))
    audit = api.as_org("audit-ly", "auditor")
    first = (await api.get("/v1/journal", params={"limit": 2}, headers=audit)).json()
    second = (await api.get("/v1/journal", params={"limit": 2, "cursor": first["next_cursor"]}, headers=audit)).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 2 and second["next_cursor"] is None
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert len(set(ids)) == 4 and ids[0] == "cap"
    comps = (await api.get("/v1/journal", params={"kind": "compensation"}, headers=audit)).json()
    assert [t["amount"] for t in comps["items"]] == ["30.00"] * 3


async def test_a_deposit_in_error_is_reversed_by_a_new_transfer_and_reopens_its_due(api):
    await api.post("/v1/fiscal-revenues", json={"year": 2026, "revenue": "500.00"}, headers=czj(api))
    await api.post("/v1/dues/fiscal:2026/payments", json={"transfer_id": "fis-wrong", "amount": "100.00"}, headers=czj(api))
    body = {"reversal_id": "rev-1", "reason": "booked twice by the bank"}
    first = await api.post("/v1/transfers/fis-wrong/reversal", json=body, headers=czj(api))
    again = await api.post("/v1/transfers/fis-wrong/reversal", json=body, headers=czj(api))
    second = await api.post("/v1/transfers/fis-wrong/reversal", json={**body, "reversal_id": "rev-2"}, headers=czj(api))
    assert (first.status_code, again.status_code, second.status_code) == (201, 200, 409)
    assert (first.json()["reverses"], first.json()["credit_account"]) == ("fis-wrong", "cash")
    assert second.json()["code"] == "ALREADY_REVERSED"
    dues = (await api.get("/v1/dues", params={"kind": "fiscal"}, headers=czj(api))).json()
    assert dues[0]["outstanding"] == "100.00"
    assert (await api.get("/v1/transfers/fis-wrong", headers=czj(api))).json()["status"] == "posted"
    assert (await api.get("/v1/fund", headers=czj(api))).json()["cash"] == "0.00"


async def test_reversal_that_would_overdraw_cash_is_refused(api):
    await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap", "amount": "1000.00"}, headers=czj(api))
    await deliver(api, approved(bank_id="bank-icbc-ly", principal_fen=1_000_00))  # 300 paid out
    response = await api.post("/v1/transfers/cap/reversal", json={"reversal_id": "r", "reason": "x"}, headers=czj(api))
    assert (response.status_code, response.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert (await api.get("/v1/fund", headers=czj(api))).json()["cash"] == "700.00"


async def test_journal_time_filter_without_zone_is_a_400_not_a_500(api):
    audit = api.as_org("audit-ly", "auditor")
    response = await api.get("/v1/journal", params={"since": "2026-01-01T00:00:00"}, headers=audit)
    assert (response.status_code, response.json()["code"]) == (400, "TIME_NOT_AWARE")
    zoned = await api.get("/v1/journal", params={"since": "2026-01-01T00:00:00+08:00"}, headers=audit)
    assert zoned.status_code == 200


async def test_audit_pack_call_returns_a_zip_of_statement_journal_and_pdf(api):
    import io
    import zipfile

    await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap", "amount": "10.00"}, headers=czj(api))
    audit = api.as_org("audit-ly", "auditor")
    response = await api.get("/v1/audit-packs/2026", headers=audit)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/zip")
    names = sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert names == ["journal-2026.csv", "report-2026.pdf", "statement-2026.json"]
    assert (await api.get("/v1/verification", headers=audit)).json() == {"ok": True, "violations": []}
    bank = api.as_org("bank-icbc-ly", "bank")
    assert (await api.get("/v1/audit-packs/2026", headers=bank)).status_code == 403


async def test_a_payment_id_reused_on_another_due_is_refused_and_that_due_stays_open(api):
    await deliver(api, interest("bank-icbc-ly", income_fen=1_000_000_00, report_id="ir-a"))
    await deliver(api, interest("bank-icbc-ly", income_fen=1_000_000_00, report_id="ir-b"))
    icbc = api.as_org("bank-icbc-ly", "bank")
    body = {"transfer_id": "pay-1", "amount": "50000.00"}
    first = await api.post("/v1/dues/contribution:ir-a/payments", json=body, headers=icbc)
    other = await api.post("/v1/dues/contribution:ir-b/payments", json=body, headers=icbc)
    assert (first.status_code, other.status_code) == (201, 409)
    assert other.json()["code"] == "TRANSFER_ID_REUSED"
    dues = {d["id"]: d["outstanding"] for d in (await api.get("/v1/dues", headers=icbc)).json()}
    assert dues == {"contribution:ir-a": "0.00", "contribution:ir-b": "50000.00"}


async def test_initial_capital_booked_in_error_and_reversed_can_be_deposited_again(api):
    await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-wrong", "amount": "1000.00"}, headers=czj(api))
    reversal = await api.post("/v1/transfers/cap-wrong/reversal", json={"reversal_id": "rev-cap", "reason": "wrong amount"}, headers=czj(api))
    assert reversal.status_code == 201, reversal.text
    right = await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-right", "amount": "10000000.00"}, headers=czj(api))
    assert right.status_code == 201, right.text
    assert (await api.get("/v1/fund", headers=czj(api))).json()["cash"] == "10000000.00"
    third = await api.post("/v1/deposits/initial-capital", json={"transfer_id": "cap-third", "amount": "1.00"}, headers=czj(api))
    assert third.json()["code"] == "INITIAL_CAPITAL_ALREADY_DEPOSITED"
