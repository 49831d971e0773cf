"""Banks, products, interest income, the monthly status file and the statistics."""

from sqlalchemy import select

from claims.adapters.tables import messaging

from .helpers import CZJ, JRJ, LG, admit, bank_headers, loan_body, uscc


async def test_bank_admission_is_idempotent_by_bank_id_and_only_officers_admit(client):
    body = {"bank_id": "bank-adm", "name": "ADM", "admitted_on": "2026-01-01", "agreement_ref": "AG-1"}
    assert (await client.post("/v1/banks", headers=bank_headers("bank-adm"), json=body)).status_code == 403
    first = await client.post("/v1/banks", headers=JRJ, json=body)
    again = await client.post("/v1/banks", headers=JRJ, json=body)
    other = await client.post("/v1/banks", headers=JRJ, json={**body, "agreement_ref": "AG-2"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert first.json()["missing_documents"] == ["articles_of_association", "business_licence", "code_certificate",
                                                 "legal_person_certificate", "tax_registration"]


async def test_products_are_published_by_their_bank_and_listed_publicly(client):
    await admit(client, "bank-pr")
    body = {"name": "信易贷-经营贷", "description": "pure credit for listed SMEs", "max_amount": "3000000.00",
            "max_term_months": 24}
    assert (await client.post("/v1/banks/bank-pr/products", headers=bank_headers("bank-x"), json=body)).status_code == 403
    first = await client.post("/v1/banks/bank-pr/products", headers=bank_headers("bank-pr"), json=body)
    again = await client.post("/v1/banks/bank-pr/products", headers=bank_headers("bank-pr"), json=body)
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    listed = (await client.get("/v1/products")).json()
    assert [(p["name"], p["max_amount"]) for p in listed] == [("信易贷-经营贷", "3000000.00")]
    banks = {b["bank_id"]: b for b in (await client.get("/v1/banks")).json()}
    assert banks["bank-pr"]["products"] == 1


async def test_interest_income_is_reported_once_per_year_and_published(app, client):
    await admit(client, "bank-ii")
    headers = bank_headers("bank-ii")
    body = {"year": 2026, "interest_income": "123456.78"}
    first = await client.post("/v1/banks/bank-ii/interest-income", headers=headers, json=body)
    again = await client.post("/v1/banks/bank-ii/interest-income", headers=headers, json=body)
    other = await client.post("/v1/banks/bank-ii/interest-income", headers=headers, json={**body, "interest_income": "1.00"})
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    async with app.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(messaging.outbox.c.envelope).where(
            messaging.outbox.c.type == "InterestIncomeReported"))).all()
    assert len(rows) == 1 and '"interest_income_fen":12345678' in rows[0].envelope


async def test_monthly_status_file_applies_good_rows_and_reports_each_bad_one(app, client):
    await admit(client, "bank-sf")
    headers = bank_headers("bank-sf")
    for no in ("SF-1", "SF-2", "SF-3", "SF-4"):
        assert (await client.post("/v1/loans", headers=headers, json=loan_body(uscc(), no))).status_code == 201
    csv_text = (
        "bank_loan_no,as_of,days_past_due,overdue_principal,category,repaid,repayment_ref,settled\n"
        "SF-1,2026-10-31,35,20000.00,special_mention,,,\n"
        "SF-2,2026-10-31,,,,1000000.00,,true\n"
        "SF-3,2026-10-31,0,0,lossy,,,\n"
        "SF-9,2026-10-31,1,0,,,,\n"
        "SF-3,2026-09-30,0,0,normal,,,\n"
    )
    r = await client.post("/v1/banks/bank-sf/status-files", params={"month": "2026-10"}, headers=headers,
                          content=csv_text.encode(), )
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["accepted"], report["rejected"]) == (2, 3)
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(4, "VALUE_INVALID"), (5, "LOAN_UNKNOWN"),
                                                                   (6, "AS_OF_OUTSIDE_MONTH")]
    assert (report["not_reported"], report["not_reported_loans"]) == (1, ["SF-4"])
    again = await client.post("/v1/banks/bank-sf/status-files", params={"month": "2026-10"}, headers=headers,
                              content=csv_text.encode())
    assert again.status_code == 201 and again.json() == report and again.headers["idempotent-replayed"] == "true"
    loans = {ln["bank_loan_no"]: ln for ln in (await client.get("/v1/loans", headers=headers)).json()}
    assert loans["SF-1"]["status"]["days_past_due"] == 35 and loans["SF-2"]["status"]["state"] == "settled"
    assert loans["SF-3"]["status"]["last_status_on"] is None  # the bad row changed nothing


async def test_status_file_rows_with_hidden_characters_in_identifiers_are_reported_not_applied(client):
    await admit(client, "bank-sx")
    headers = bank_headers("bank-sx")
    assert (await client.post("/v1/loans", headers=headers, json=loan_body(uscc(), "SX-1"))).status_code == 201
    csv_text = (
        "bank_loan_no,as_of,days_past_due,overdue_principal,category,repaid,repayment_ref,settled\n"
        "SX-1\x00,2026-10-31,35,20000.00,special_mention,,,\n"
        "SX-1\u202e,2026-10-31,35,20000.00,special_mention,,,\n"
        "SX-1,2026-10-31,,,,100.00,R\u20661,\n"
        "SX-1,2026-10-31,35,20000.00,special_mention,,,\n"
    )
    r = await client.post("/v1/banks/bank-sx/status-files", params={"month": "2026-10"}, headers=headers,
                          content=csv_text.encode())
    assert r.status_code == 201, r.text
    assert [(e["line"], e["code"]) for e in r.json()["errors"]] == [
        (2, "BANK_LOAN_NO_INVALID"), (3, "BANK_LOAN_NO_INVALID"), (4, "REPAYMENT_REF_INVALID")]
    assert r.json()["accepted"] == 1
    loan = (await client.get("/v1/loans", headers=headers)).json()[0]
    assert (loan["status"]["days_past_due"], loan["status"]["outstanding"]) == (35, "1000000.00")


async def test_status_file_with_a_wrong_header_is_refused_whole(client):
    await admit(client, "bank-sh")
    r = await client.post("/v1/banks/bank-sh/status-files", params={"month": "2026-10"},
                          headers=bank_headers("bank-sh"), content=b"loan,date\nx,y\n")
    assert (r.status_code, r.json()["code"]) == (400, "STATUS_FILE_HEADER")


async def test_statistics_per_bank_and_city_with_csv_and_ranking(app, client):
    for bank, amounts in (("bank-s1", ["100.00", "300.00"]), ("bank-s2", ["1000.00"])):
        await admit(client, bank)
        for i, amount in enumerate(amounts):
            body = loan_body(uscc(), f"{bank}-{i}", principal=amount, issued_on=f"2026-0{3 + i}-02",
                             matures_on=f"2027-0{3 + i}-02")
            assert (await client.post("/v1/loans", headers=bank_headers(bank), json=body)).status_code == 201
    loans = (await client.get("/v1/loans", headers=bank_headers("bank-s1"))).json()
    march = next(ln for ln in loans if ln["issued_on"] == "2026-03-02")
    await client.post(f"/v1/loans/{march['loan_id']}/overdue", headers=bank_headers("bank-s1"),
                      json={"days_past_due": 10, "overdue_principal": "50.00", "as_of": "2026-04-10"})
    rows = {r["scope"]: r for r in (await client.get("/v1/stats", params={"period": "2026-04"}, headers=JRJ)).json()}
    assert rows["bank-s1"]["principal_issued"] == "300.00" and rows["bank-s1"]["growth_pct"] == "200.00"
    assert rows["bank-s1"]["outstanding"] == "400.00" and rows["bank-s1"]["overdue_ratio_pct"] == "12.50"
    assert rows["city"]["outstanding"] == "1400.00" and rows["city"]["principal_issued"] == "300.00"
    quarter = {r["scope"]: r for r in (await client.get("/v1/stats", params={"period": "2026-Q2"}, headers=CZJ)).json()}
    assert quarter["city"]["principal_issued"] == "300.00"
    ranking = (await client.get("/v1/stats/ranking", params={"period": "2026-Q1"}, headers=JRJ)).json()
    assert [(r["rank"], r["scope"]) for r in ranking][:2] == [(1, "bank-s2"), (2, "bank-s1")]
    csv_response = await client.get("/v1/stats.csv", params={"period": "2026-Q1"}, headers=LG)
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.text.splitlines()[0].startswith("scope,period,loans_issued,principal_issued")
    assert (await client.get("/v1/stats", params={"period": "2026-Q1"}, headers=bank_headers("bank-s1"))).status_code == 403
    assert (await client.get("/v1/stats", params={"period": "Q1"}, headers=JRJ)).json()["code"] == "PERIOD_INVALID"
