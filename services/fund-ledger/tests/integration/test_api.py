"""fund-ledger's HTTP API on the real app: money in, reading the books, auth, problem+json."""

import pytest
from xinyidai_shared.testing import deliver as deliver_to

from ..conftest import approved, interest

pytestmark = pytest.mark.asyncio


def czj(api):
    """The finance-bureau officer who declares and proposes."""
    return api.as_org("czj", "finance_bureau", subject="wang")


def checker(api):
    """A second officer of the same bureau, who confirms."""
    return api.as_org("czj", "finance_bureau", subject="li")


async def deliver(api, payload):
    await deliver_to(api.app, payload)


async def confirm(api, transfer_id, headers=None):
    return await api.post(f"/v1/transfers/{transfer_id}/confirmation", json={}, headers=headers or checker(api))


async def deposit(api, amount, reference="cap"):
    """Initial capital declared by one officer and confirmed by another; returns the transfer id."""
    declared = await api.post("/v1/deposits/initial-capital", json={"reference": reference, "amount": amount}, headers=czj(api))
    assert declared.status_code == 201, declared.text
    assert (await confirm(api, declared.json()["id"])).status_code == 200
    return declared.json()["id"]


async def cash(api):
    return (await api.get("/v1/fund", headers=czj(api))).json()["cash"]


async def test_initial_capital_is_cash_only_once_a_second_officer_confirms_it(api):
    """No one alone moves money: the declaring officer cannot confirm; two credentials naming no person
    of one bureau are one person."""
    declared = await api.post("/v1/deposits/initial-capital", json={"reference": "cap-2026", "amount": "10000000.00"},
                              headers=czj(api))
    assert declared.status_code == 201, declared.text
    body = declared.json()
    assert (body["status"], body["reference"], body["declared_by"]) == ("pending", "cap-2026", "czj/wang")
    assert body["id"].startswith("cin-") and body["id"] != "cap-2026"  # references never become transfer ids
    assert await cash(api) == "0.00"
    own = await confirm(api, body["id"], headers=czj(api))
    assert (own.status_code, own.json()["code"]) == (403, "SECOND_PERSON_REQUIRED")
    confirmed = await confirm(api, body["id"])
    assert (confirmed.status_code, confirmed.json()["status"], confirmed.json()["decided_by"]) == (200, "posted", "czj/li")
    assert (await confirm(api, body["id"])).json() == confirmed.json()  # told twice by the same officer: same answer
    assert await cash(api) == "10000000.00"
    anonymous = api.as_org("czj", "finance_bureau")
    again = await api.post("/v1/deposits/initial-capital", json={"reference": "cap-b", "amount": "1.00"}, headers=anonymous)
    assert again.json()["code"] == "INITIAL_CAPITAL_ALREADY_DEPOSITED"


async def test_a_declaration_without_named_people_needs_another_person_to_confirm(api):
    anonymous = api.as_org("czj", "finance_bureau")
    declared = await api.post("/v1/deposits/initial-capital", json={"reference": "c", "amount": "5.00"}, headers=anonymous)
    refused = await confirm(api, declared.json()["id"], headers=api.as_org("czj", "finance_bureau"))
    assert (refused.status_code, refused.json()["code"]) == (403, "SECOND_PERSON_REQUIRED")
    assert (await confirm(api, declared.json()["id"])).json()["status"] == "posted"


async def test_same_reference_and_body_replays_and_other_body_is_refused(api):
    body = {"reference": "cap-x", "amount": "100.00"}
    first = await api.post("/v1/deposits/initial-capital", json=body, headers=czj(api))
    again = await api.post("/v1/deposits/initial-capital", json=body, headers=czj(api))
    other = await api.post("/v1/deposits/initial-capital", json={**body, "amount": "200.00"}, headers=czj(api))
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_second_initial_capital_with_another_reference_is_refused(api):
    await api.post("/v1/deposits/initial-capital", json={"reference": "cap-a", "amount": "1.00"}, headers=czj(api))
    response = await api.post("/v1/deposits/initial-capital", json={"reference": "cap-b", "amount": "1.00"}, headers=czj(api))
    assert (response.status_code, response.json()["code"]) == (409, "INITIAL_CAPITAL_ALREADY_DEPOSITED")


@pytest.mark.parametrize("amount", [10000000, "1.234", "-5.00", "abc"])
async def test_money_that_is_not_exact_yuan_text_is_a_422_and_writes_nothing(api, amount):
    response = await api.post("/v1/deposits/initial-capital", json={"reference": "cap-1", "amount": amount}, headers=czj(api))
    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_FAILED")
    assert (await api.get("/v1/journal", headers=czj(api))).json()["items"] == []


async def test_no_credential_is_401_and_a_bank_cannot_deposit_capital_or_confirm(api):
    body = {"reference": "cap-1", "amount": "1.00"}
    assert (await api.post("/v1/deposits/initial-capital", json=body)).status_code == 401
    bank = api.as_org("bank-icbc-ly", "bank")
    assert (await api.post("/v1/deposits/initial-capital", json=body, headers=bank)).status_code == 403
    declared = await api.post("/v1/deposits/initial-capital", json=body, headers=czj(api))
    refused = await api.post(f"/v1/transfers/{declared.json()['id']}/confirmation", json={}, headers=bank)
    assert (refused.status_code, refused.json()["code"]) == (403, "ROLE_NOT_ALLOWED")


async def test_fiscal_revenue_makes_twenty_percent_due_and_its_confirmed_payment_settles_it(api):
    due = await api.post("/v1/fiscal-revenues", json={"year": 2026, "revenue": "5000000.00"}, headers=czj(api))
    assert due.status_code == 201, due.text
    assert (due.json()["amount"], due.json()["outstanding"]) == ("1000000.00", "1000000.00")
    declared = await api.post("/v1/dues/fiscal:2026/payments", json={"reference": "fis-1", "amount": "1000000.00"}, headers=czj(api))
    assert declared.status_code == 201, declared.text
    # What is declared and not yet confirmed counts against the due: nobody can declare it twice.
    over = await api.post("/v1/dues/fiscal:2026/payments", json={"reference": "fis-2", "amount": "0.01"}, headers=czj(api))
    assert (over.status_code, over.json()["code"]) == (409, "DUE_OVERPAID")
    assert (await api.get("/v1/dues", params={"kind": "fiscal"}, headers=czj(api))).json()[0]["outstanding"] == "1000000.00"
    assert (await confirm(api, declared.json()["id"])).status_code == 200
    assert (await api.get("/v1/accounts/cash/balance", headers=czj(api))).json()["balance"] == "1000000.00"
    assert (await api.get("/v1/dues", params={"kind": "fiscal"}, headers=czj(api))).json()[0]["outstanding"] == "0.00"


async def test_a_bank_only_declares_a_payment_and_only_the_finance_bureau_makes_it_cash(api):
    """Issue 10 item 2: a bank's own payment raises no cash and releases no compensation (its own
    included) until the finance bureau confirms it; a declaration nobody can match is voided."""
    await deliver(api, interest("bank-icbc-ly", income_fen=2_000_000_00, report_id="ir-1"))
    await deliver(api, approved("clm-own", bank_id="bank-icbc-ly", principal_fen=100_000_00))  # 30,000 waits: no cash
    icbc, ccb = api.as_org("bank-icbc-ly", "bank"), api.as_org("bank-ccb-ly", "bank")
    dues = (await api.get("/v1/dues", headers=icbc)).json()
    assert [(d["id"], d["amount"]) for d in dues] == [("contribution:ir-1", "100000.00")]
    assert (await api.get("/v1/dues", headers=ccb)).json() == []
    foreign = await api.post("/v1/dues/contribution:ir-1/payments", json={"reference": "c1", "amount": "100000.00"}, headers=ccb)
    assert foreign.status_code == 403
    own = await api.post("/v1/dues/contribution:ir-1/payments", json={"reference": "c1", "amount": "100000.00"}, headers=icbc)
    assert (own.status_code, own.json()["status"], own.json()["declared_by"]) == (201, "pending", "bank-icbc-ly")
    assert await cash(api) == "0.00"
    fund = (await api.get("/v1/fund", headers=czj(api))).json()
    assert (fund["waiting_count"], fund["compensation_paid"]) == (1, "0.00")
    assert (await api.post(f"/v1/transfers/{own.json()['id']}/confirmation", json={}, headers=icbc)).status_code == 403
    confirmed = await confirm(api, own.json()["id"], headers=czj(api))  # any bureau officer: the bank declared
    assert confirmed.json()["status"] == "posted"
    fund = (await api.get("/v1/fund", headers=czj(api))).json()
    assert (fund["cash"], fund["waiting_count"], fund["compensation_paid"]) == ("70000.00", 0, "30000.00")
    bogus = await api.post("/v1/dues/contribution:ir-1/payments", json={"reference": "c2", "amount": "1.00"}, headers=icbc)
    assert bogus.json()["code"] == "DUE_OVERPAID"


async def test_a_declaration_no_money_matched_is_voided_and_pays_nothing(api):
    await deliver(api, interest("bank-icbc-ly", income_fen=2_000_000_00, report_id="ir-v"))
    icbc = api.as_org("bank-icbc-ly", "bank")
    declared = await api.post("/v1/dues/contribution:ir-v/payments", json={"reference": "v1", "amount": "100.00"}, headers=icbc)
    voided = await api.post(f"/v1/transfers/{declared.json()['id']}/void", json={"reason": "not on the statement"},
                            headers=checker(api))
    assert (voided.json()["status"], voided.json()["decided_by"]) == ("voided", "czj/li")
    late = await confirm(api, declared.json()["id"])
    assert (late.status_code, late.json()["code"]) == (409, "TRANSFER_NOT_PENDING")
    assert await cash(api) == "0.00"


async def test_claim_approved_pays_and_bank_position_shows_cap_left(api):
    await deposit(api, "10000000.00")
    await deliver(api, approved(bank_id="bank-icbc-ly", principal_fen=1_000_000_00))
    icbc = api.as_org("bank-icbc-ly", "bank")
    position = (await api.get("/v1/banks/bank-icbc-ly/position", headers=icbc)).json()
    assert (position["paid"], position["cap_left"]) == ("300000.00", "1700000.00")
    assert (await api.get("/v1/banks/bank-ccb-ly/position", headers=icbc)).status_code == 403
    fund = (await api.get("/v1/fund", headers=czj(api))).json()
    assert (fund["cash"], fund["compensation_paid"]) == ("9700000.00", "300000.00")


async def test_journal_pages_with_a_cursor_and_filters(api):
    capital_id = await deposit(api, "10000000.00")
    for _ in range(3):
        await deliver(api, approved(bank_id="bank-icbc-ly", principal_fen=100_00))
    audit = api.as_org("audit-ly", "auditor")
    first = (await api.get("/v1/journal", params={"limit": 2}, headers=audit)).json()
    second = (await api.get("/v1/journal", params={"limit": 2, "cursor": first["next_cursor"]}, headers=audit)).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 2 and second["next_cursor"] is None
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert len(set(ids)) == 4 and ids[0] == capital_id
    comps = (await api.get("/v1/journal", params={"kind": "compensation"}, headers=audit)).json()
    assert [t["amount"] for t in comps["items"]] == ["30.00"] * 3


async def test_a_reversal_is_proposed_by_one_officer_and_posted_only_when_another_confirms_it(api):
    """Maker-checker: money leaves the fund by a reversal only with two officers."""
    await api.post("/v1/fiscal-revenues", json={"year": 2026, "revenue": "500.00"}, headers=czj(api))
    paid = await api.post("/v1/dues/fiscal:2026/payments", json={"reference": "fis-wrong", "amount": "100.00"}, headers=czj(api))
    await confirm(api, paid.json()["id"])
    body = {"reference": "rev-1", "reason": "booked twice by the bank"}
    url = f"/v1/transfers/{paid.json()['id']}/reversal"
    proposed = await api.post(url, json=body, headers=czj(api))
    again = await api.post(url, json=body, headers=czj(api))
    second = await api.post(url, json={**body, "reference": "rev-2"}, headers=checker(api))
    assert (proposed.status_code, again.status_code, second.status_code) == (201, 201, 409)
    assert again.json() == proposed.json()
    assert (proposed.json()["status"], proposed.json()["credit_account"]) == ("pending", "cash")
    assert second.json()["code"] == "ALREADY_REVERSED"
    assert await cash(api) == "100.00"  # proposed only: nothing moved
    own = await confirm(api, proposed.json()["id"], headers=czj(api))
    assert (own.status_code, own.json()["code"]) == (403, "SECOND_PERSON_REQUIRED")
    posted = await confirm(api, proposed.json()["id"])
    assert (posted.json()["status"], posted.json()["reverses"]) == ("posted", paid.json()["id"])
    dues = (await api.get("/v1/dues", params={"kind": "fiscal"}, headers=czj(api))).json()
    assert dues[0]["outstanding"] == "100.00"
    assert (await api.get(f"/v1/transfers/{paid.json()['id']}", headers=czj(api))).json()["status"] == "posted"
    assert await cash(api) == "0.00"


async def test_a_refused_reversal_is_voided_and_another_may_be_proposed(api):
    capital_id = await deposit(api, "1000.00")
    url = f"/v1/transfers/{capital_id}/reversal"
    first = await api.post(url, json={"reference": "r1", "reason": "wrong amount"}, headers=czj(api))
    voided = await api.post(f"/v1/transfers/{first.json()['id']}/void", json={"reason": "the amount was right"},
                            headers=checker(api))
    assert voided.json()["status"] == "voided"
    second = await api.post(url, json={"reference": "r2", "reason": "wrong after all"}, headers=czj(api))
    assert second.status_code == 201 and (await confirm(api, second.json()["id"])).json()["status"] == "posted"
    assert await cash(api) == "0.00"


async def test_reversal_that_would_overdraw_cash_is_refused_at_confirmation(api):
    capital_id = await deposit(api, "1000.00")
    await deliver(api, approved(bank_id="bank-icbc-ly", principal_fen=1_000_00))  # 300 paid out
    proposed = await api.post(f"/v1/transfers/{capital_id}/reversal", json={"reference": "r", "reason": "x"}, headers=czj(api))
    response = await confirm(api, proposed.json()["id"])
    assert (response.status_code, response.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert await cash(api) == "700.00"


async def test_journal_time_filter_without_zone_is_a_400_not_a_500(api):
    audit = api.as_org("audit-ly", "auditor")
    response = await api.get("/v1/journal", params={"since": "2026-01-01T00:00:00"}, headers=audit)
    assert (response.status_code, response.json()["code"]) == (400, "TIME_NOT_AWARE")
    zoned = await api.get("/v1/journal", params={"since": "2026-01-01T00:00:00+08:00"}, headers=audit)
    assert zoned.status_code == 200


async def test_audit_pack_call_returns_a_zip_of_statement_journal_audit_trail_and_pdf(api):
    import csv
    import io
    import zipfile

    await deposit(api, "10.00")
    audit = api.as_org("audit-ly", "auditor")
    response = await api.get("/v1/audit-packs/2026", headers=audit)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/zip")
    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(pack.namelist()) == ["audit-trail-2026.csv", "journal-2026.csv", "report-2026.pdf", "statement-2026.json"]
    trail = list(csv.DictReader(io.StringIO(pack.read("audit-trail-2026.csv").decode())))
    # Who did what in the books that year: the finance bureau's deposit declared, then confirmed, with its amount.
    assert [(r["org_id"], r["method"], r["route"]) for r in trail] == [
        ("czj", "POST", "/v1/deposits/initial-capital"), ("czj", "POST", "/v1/transfers/{transfer_id}/confirmation")]
    assert '"amount_fen":1000' in trail[0]["detail"] and trail[0]["subject"] != trail[1]["subject"]
    assert (await api.get("/v1/verification", headers=audit)).json() == {"ok": True, "violations": []}
    bank = api.as_org("bank-icbc-ly", "bank")
    assert (await api.get("/v1/audit-packs/2026", headers=bank)).status_code == 403


async def test_a_reference_reused_on_another_due_is_refused_and_that_due_stays_open(api):
    await deliver(api, interest("bank-icbc-ly", income_fen=1_000_000_00, report_id="ir-a"))
    await deliver(api, interest("bank-icbc-ly", income_fen=1_000_000_00, report_id="ir-b"))
    icbc = api.as_org("bank-icbc-ly", "bank")
    body = {"reference": "pay-1", "amount": "50000.00"}
    first = await api.post("/v1/dues/contribution:ir-a/payments", json=body, headers=icbc)
    other = await api.post("/v1/dues/contribution:ir-b/payments", json=body, headers=icbc)
    assert (first.status_code, other.status_code) == (201, 409)
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    await confirm(api, first.json()["id"])
    dues = {d["id"]: d["outstanding"] for d in (await api.get("/v1/dues", headers=icbc)).json()}
    assert dues == {"contribution:ir-a": "0.00", "contribution:ir-b": "50000.00"}


async def test_a_bank_reference_shaped_like_a_derived_id_never_blocks_the_fund_own_booking(api):
    """Issue 10 item 3: a caller's reference lives apart from the ids the ledger derives, so a bank that
    declares a payment under `due-contribution:ir-9` first changes nothing about the real 5% due."""
    await deliver(api, interest("bank-icbc-ly", income_fen=1_000_000_00, report_id="ir-8"))
    icbc, ccb = api.as_org("bank-icbc-ly", "bank"), api.as_org("bank-ccb-ly", "bank")
    squat = await api.post("/v1/dues/contribution:ir-8/payments", json={"reference": "due-contribution:ir-9", "amount": "0.01"},
                           headers=icbc)
    assert squat.status_code == 201 and squat.json()["id"] != "due-contribution:ir-9"
    await confirm(api, squat.json()["id"])
    await deliver(api, interest("bank-icbc-ly", income_fen=2_000_000_00, report_id="ir-9"))
    booked = (await api.get("/v1/transfers/due-contribution:ir-9", headers=czj(api))).json()
    assert (booked["kind"], booked["amount"]) == ("contribution_due", "100000.00")
    # References are scoped by organisation: another bank's same reference is its own.
    await deliver(api, interest("bank-ccb-ly", income_fen=1_000_000_00, report_id="ir-c"))
    same_ref = await api.post("/v1/dues/contribution:ir-c/payments", json={"reference": "due-contribution:ir-9", "amount": "1.00"},
                              headers=ccb)
    assert same_ref.status_code == 201
    assert (await api.get("/v1/verification", headers=czj(api))).json()["ok"] is True


async def test_initial_capital_booked_in_error_and_reversed_can_be_deposited_again(api):
    wrong = await deposit(api, "1000.00", "cap-wrong")
    proposed = await api.post(f"/v1/transfers/{wrong}/reversal", json={"reference": "rev-cap", "reason": "wrong amount"},
                              headers=czj(api))
    # While the reversal only waits, the wrong deposit still counts as the one-off capital.
    early = await api.post("/v1/deposits/initial-capital", json={"reference": "cap-early", "amount": "1.00"}, headers=czj(api))
    assert early.json()["code"] == "INITIAL_CAPITAL_ALREADY_DEPOSITED"
    assert (await confirm(api, proposed.json()["id"])).status_code == 200
    await deposit(api, "10000000.00", "cap-right")
    assert await cash(api) == "10000000.00"
    third = await api.post("/v1/deposits/initial-capital", json={"reference": "cap-third", "amount": "1.00"}, headers=czj(api))
    assert third.json()["code"] == "INITIAL_CAPITAL_ALREADY_DEPOSITED"
