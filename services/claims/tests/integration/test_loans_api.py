"""Loans over HTTP: eligibility verdicts stored on the loan, status reports, ownership, bad input."""

from datetime import date

from .helpers import LG, admit, bank_headers, loan_body, seed_good_standing, uscc


async def register(client, bank: str, body: dict):  # noqa: ANN001, ANN201
    response = await client.post("/v1/loans", headers=bank_headers(bank), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_ineligible_loan_is_registered_as_not_covered_with_article_reasons(app, client):
    code = uscc()
    await seed_good_standing(app, code, listed_on=date(2026, 3, 3))  # listed the day after issue
    await admit(client, "bank-el")
    loan = await register(client, "bank-el", loan_body(code, "EL-1", annual_rate="3.91", loan_type="guaranteed"))
    failed = {c["rule"]: c["article"] for c in loan["eligibility"] if not c["passed"]}
    assert loan["covered"] is False
    # The SME size is what the list said on the issue date, so it is unknown here too.
    assert failed == {"LISTED": "Measures art.8, art.11.1", "SME": "Measures art.3, art.9",
                      "RATE_CAP": "Measures art.11.2", "PURE_CREDIT": "Measures art.11.5"}


async def test_loan_stores_the_reference_rate_and_cap_applied_at_issue(app, client):
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, "bank-rate")
    loan = await register(client, "bank-rate", loan_body(code, "RT-1", annual_rate="3.9"))
    assert loan["covered"] is True
    assert loan["reference_rate"] == {"source": "lpr", "effective_on": "2025-05-20", "reference_rate": "3.0000",
                                      "cap": "3.9000"}
    assert loan["policy_profile"] == "measures" and loan["term_months"] == 12


async def test_term_between_two_and_three_years_is_covered_but_flagged(app, client):
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, "bank-term")
    loan = await register(client, "bank-term", loan_body(code, "TM-1", matures_on="2029-03-02"))
    term = next(c for c in loan["eligibility"] if c["rule"] == "TERM")
    assert loan["covered"] and term["flagged"] and loan["term_months"] == 36


async def test_second_loan_declared_first_for_the_same_enterprise_is_not_covered(app, client):
    code = uscc()
    await seed_good_standing(app, code)
    await admit(client, "bank-f1")
    await admit(client, "bank-f2")
    assert (await register(client, "bank-f1", loan_body(code, "F-1")))["covered"]
    second = await register(client, "bank-f2", loan_body(code, "F-2"))
    assert not second["covered"]
    assert [c["rule"] for c in second["eligibility"] if not c["passed"]] == ["FIRST_LOAN"]


async def test_a_bank_cannot_read_or_report_on_another_banks_loan(app, client):
    code = uscc()
    await admit(client, "bank-own")
    loan = await register(client, "bank-own", loan_body(code, "OWN-1"))
    other = bank_headers("bank-other")
    read = await client.get(f"/v1/loans/{loan['loan_id']}", headers=other)
    write = await client.post(f"/v1/loans/{loan['loan_id']}/overdue", headers=other,
                              json={"days_past_due": 5, "overdue_principal": "1.00", "as_of": "2026-05-01"})
    assert (read.status_code, read.json()["code"]) == (403, "NOT_YOUR_LOAN")
    assert write.status_code == 403
    assert (await client.get(f"/v1/loans/{loan['loan_id']}", headers=LG)).status_code == 200


async def test_no_credential_is_401_and_an_officer_cannot_register_loans(client):
    body = loan_body(uscc(), "X-1")
    assert (await client.post("/v1/loans", json=body)).status_code == 401
    wrong = await client.post("/v1/loans", headers=LG, json=body)
    assert (wrong.status_code, wrong.json()["code"]) == (403, "ROLE_NOT_ALLOWED")


async def test_unadmitted_bank_cannot_register(client):
    response = await client.post("/v1/loans", headers=bank_headers("bank-nobody"), json=loan_body(uscc(), "N-1"))
    assert (response.status_code, response.json()["code"]) == (403, "BANK_NOT_ADMITTED")


async def test_bad_input_is_a_problem_document_and_writes_nothing(client):
    await admit(client, "bank-bad")
    headers = bank_headers("bank-bad")
    cases = [
        (loan_body("91211382MA0000001X", "B-1"), 400, "USCC_INVALID"),
        (loan_body(uscc(), "B-2", principal=1000.5), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-2b", principal=1000), 422, "VALIDATION_FAILED"),  # yuan or fen? text only
        (loan_body(uscc(), "B-2c", principal="0.00"), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-3", annual_rate="3.12345"), 400, "RATE_INVALID"),
        (loan_body(uscc(), "B-4", matures_on="2026-03-01"), 400, "MATURITY_NOT_AFTER_ISSUE"),
        ({**loan_body(uscc(), "B-5"), "extra": 1}, 422, "VALIDATION_FAILED"),
        # Accepted before, wrong all the same: padded money, identifiers hiding control or bidi characters.
        (loan_body(uscc(), "B-6", principal=" 1000.00"), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-7", principal="1000.00\n"), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-8\x00"), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-9\n"), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-10\u202e01"), 422, "VALIDATION_FAILED"),
        (loan_body(uscc(), "B-11", purpose="orders\x00"), 422, "VALIDATION_FAILED"),
    ]
    for body, status, code in cases:
        response = await client.post("/v1/loans", headers=headers, json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/v1/loans", headers=headers)).json() == []


async def test_status_reports_update_the_loan_and_flag_a_better_than_floor_category(app, client):
    await admit(client, "bank-st")
    headers = bank_headers("bank-st")
    loan = await register(client, "bank-st", loan_body(uscc(), "ST-1"))
    lid = loan["loan_id"]
    r = await client.post(f"/v1/loans/{lid}/repayments", headers=headers,
                          json={"repayment_ref": "R1", "amount": "100000.00", "repaid_on": "2026-04-02"})
    again = await client.post(f"/v1/loans/{lid}/repayments", headers=headers,
                              json={"repayment_ref": "R1", "amount": "100000.00", "repaid_on": "2026-04-02"})
    assert r.json()["status"]["outstanding"] == again.json()["status"]["outstanding"] == "900000.00"
    await client.post(f"/v1/loans/{lid}/overdue", headers=headers,
                      json={"days_past_due": 120, "overdue_principal": "50000.00", "as_of": "2026-09-01"})
    r = await client.post(f"/v1/loans/{lid}/classification", headers=headers, json={"category": "special_mention", "as_of": "2026-09-01"})
    assert r.json()["status"]["category_flagged"] is True
    history = (await client.get(f"/v1/loans/{lid}/history", headers=headers)).json()
    assert [h["kind"] for h in history] == ["repayment", "overdue", "classification"]
    assert history[-1]["detail"] == "floor substandard"


async def test_enterprise_standing_answers_for_a_past_date(app, client):
    code = uscc()
    await seed_good_standing(app, code, listed_on=date(2026, 2, 1))
    before = (await client.get(f"/v1/enterprises/{code}/standing", params={"on": "2026-01-31", "purpose": "claim review"}, headers=LG)).json()
    after = (await client.get(f"/v1/enterprises/{code}/standing", params={"on": "2026-02-01", "purpose": "claim review"}, headers=LG)).json()
    assert (before["listed"], after["listed"], after["grade"], after["sme_size"]) == (False, True, "A", "small")


async def test_openapi_documents_every_route_with_its_summary(client):
    spec = (await client.get("/openapi.json")).json()
    overdue = spec["paths"]["/v1/loans/{loan_id}/overdue"]["post"]
    assert overdue["summary"].startswith("Report days past due")
    assert "requestBody" in overdue and "text/csv" in spec["paths"]["/v1/banks/{bank_id}/status-files"]["post"]["requestBody"]["content"]
