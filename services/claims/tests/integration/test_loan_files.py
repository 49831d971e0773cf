"""Bulk loan files from core systems: a job per file, one result per line, the same rules as POST /v1/loans."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import orjson
import pytest
from sqlalchemy import func, select
from xinyidai_shared.testing import app_client, eventually

from claims.adapters.tables import loan, messaging
from claims.service_layer import loan_files, loans

from .helpers import LG, admit, bank_headers, build, loan_body, seed_good_standing, uscc

FAST = {"loan_file_poll_interval_s": 0.05, "loan_file_batch_lines": 4}  # small batches: several per file
COLUMNS = list(loan_body("x", "x")) + ["product_id"]


def csv_file(rows: list[dict], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()})
    return out.getvalue().encode(encoding)


def ndjson_file(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(row) + b"\n" for row in rows)


async def upload(client, bank: str, data: bytes, fmt: str, **params) -> dict:  # noqa: ANN001
    response = await client.post("/v1/loan-files", headers=bank_headers(bank), params={"format": fmt, **params},
                                 content=data)
    assert response.status_code == 202, response.text
    return response.json()


async def finished(client, bank: str, job_id: str) -> dict:  # noqa: ANN001
    async def done() -> bool:
        response = await client.get(f"/v1/loan-files/{job_id}", headers=bank_headers(bank))
        return response.json()["status"] in ("done", "failed")

    await eventually(done, timeout_s=60)
    return (await client.get(f"/v1/loan-files/{job_id}", headers=bank_headers(bank))).json()


async def results(client, bank: str, job_id: str, **params) -> dict[int, dict]:  # noqa: ANN001
    response = await client.get(f"/v1/loan-files/{job_id}/results", headers=bank_headers(bank), params=params)
    assert response.status_code == 200, response.text
    return {r["line"]: r for r in response.json()["results"]}


async def counts(app) -> tuple[int, int]:  # noqa: ANN001
    """Loans in the registry and LoanRegistered events in the outbox."""
    async with app.state.runtime.db.read_session() as session:
        loans = (await session.execute(select(func.count()).select_from(loan))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(messaging.outbox)
                                        .where(messaging.outbox.c.type == "LoanRegistered"))).scalar_one()
    return loans, events


async def test_a_gb18030_csv_with_good_and_bad_lines_keeps_the_good_and_names_each_bad(db_url, clock):
    app = build(db_url, clock, **FAST)
    async with app_client(app) as client:
        good, fresh, known, twice = uscc(), uscc(), uscc(), uscc()
        bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        for code in (good, fresh, known, twice):
            await seed_good_standing(app, code)
        await admit(client, "bank-csv")
        product = (await client.post("/v1/banks/bank-csv/products", headers=bank_headers("bank-csv"), json={
            "name": "惠企贷", "description": "纯信用", "max_amount": "3000000.00", "max_term_months": 36})).json()
        api_loan = (await client.post("/v1/loans", headers=bank_headers("bank-csv"),
                                      json=loan_body(known, "API-1"))).json()
        rows = [
            loan_body(good, "CSV-1", purpose="流动资金周转（订单备货）", product_id=product["product_id"]),  # line 2
            loan_body(fresh, "CSV-2", annual_rate="3.91", loan_type="guaranteed"),  # line 3: registered, not covered
            loan_body(known, "CSV-3"),  # line 4: the API registered the enterprise's first loan already
            loan_body(good, "CSV-4", principal="12abc"),  # line 5
            loan_body(bad_check, "CSV-5"),  # line 6: a check character that does not check
            loan_body(good, "CSV-6", matures_on="2026-01-01"),  # line 7
            loan_body(good, "CSV-7", product_id="pr_nobody"),  # line 8
            loan_body(twice, "CSV-8"),  # line 9
            loan_body(twice, "CSV-8", principal="2000000.00"),  # line 10: the same number, declared otherwise
            loan_body(twice, "CSV-8"),  # line 11: the same number, the same declaration
        ]
        data = csv_file(rows, "gb18030")
        data += "CSV-9,太短\r\n".encode("gb18030")  # line 12: too few cells
        data += b"\xff\xfe,broken\r\n"  # line 13: not GB18030 at all

        job = await upload(client, "bank-csv", data, "csv", encoding="gb18030")
        assert (job["status"], job["lines_total"], job["format"], job["encoding"]) == ("queued", 12, "csv", "gb18030")
        job = await finished(client, "bank-csv", job["job_id"])
        assert (job["status"], job["lines_done"], job["registered"], job["unchanged"], job["refused"]) == \
            ("done", 12, 4, 1, 7), job
        lines = await results(client, "bank-csv", job["job_id"])
        assert list(lines) == list(range(2, 14))

        assert (lines[2]["outcome"], lines[2]["covered"], lines[2]["bank_loan_no"]) == ("registered", True, "CSV-1")
        first = (await client.get(f"/v1/loans/{lines[2]['loan_id']}", headers=bank_headers("bank-csv"))).json()
        assert (first["purpose"], first["principal"], first["product_id"]) == \
            ("流动资金周转（订单备货）", "1000000.00", product["product_id"])
        # The same eligibility as one loan through the API: every failed rule with its article.
        assert (lines[3]["outcome"], lines[3]["covered"]) == ("registered", False)
        second = (await client.get(f"/v1/loans/{lines[3]['loan_id']}", headers=LG)).json()
        assert {c["rule"] for c in second["eligibility"] if not c["passed"]} == {"RATE_CAP", "PURE_CREDIT"}
        assert api_loan["covered"] and (lines[4]["outcome"], lines[4]["covered"]) == ("registered", False)
        third = (await client.get(f"/v1/loans/{lines[4]['loan_id']}", headers=LG)).json()
        assert [c["rule"] for c in third["eligibility"] if not c["passed"]] == ["FIRST_LOAN"]

        refused = {n: (r["outcome"], r["code"], r["field"]) for n, r in lines.items() if r["outcome"] == "refused"}
        assert refused[5] == ("refused", "VALIDATION_FAILED", "principal")
        assert refused[7] == ("refused", "MATURITY_NOT_AFTER_ISSUE", "matures_on")
        assert refused[8] == ("refused", "PRODUCT_UNKNOWN", "product_id")
        assert refused[10] == ("refused", "LOAN_NO_TAKEN", "principal")
        assert refused[12][:2] == ("refused", "CSV_COLUMNS") and refused[13][:2] == ("refused", "LINE_ENCODING")
        assert lines[5]["bank_loan_no"] == "CSV-4" and lines[5]["detail"]
        assert (lines[9]["outcome"], lines[11]["outcome"], lines[11]["loan_id"]) == \
            ("registered", "unchanged", lines[9]["loan_id"])
        assert refused[6] == ("refused", "USCC_INVALID", "uscc")
        only_refused = await results(client, "bank-csv", job["job_id"], outcome="refused")
        assert set(only_refused) == set(refused)
        assert await counts(app) == (1 + 4, 1 + 4)  # the API's loan and the four registered lines, each told once


async def test_the_same_ndjson_file_twice_changes_nothing_and_a_changed_line_is_refused(sqlite_url, clock):
    app = build(sqlite_url, clock, **FAST)
    async with app_client(app) as client:
        codes = [uscc() for _ in range(10)]
        for code in codes:
            await seed_good_standing(app, code)
        await admit(client, "bank-nd")
        rows = [loan_body(code, f"ND-{i}") for i, code in enumerate(codes)]
        data = b"\n" + ndjson_file(rows)  # a blank line is skipped, its number kept

        first = await finished(client, "bank-nd", (await upload(client, "bank-nd", data, "ndjson"))["job_id"])
        assert (first["status"], first["lines_total"], first["registered"]) == ("done", 10, 10)
        before = await counts(app)
        again = await finished(client, "bank-nd", (await upload(client, "bank-nd", data, "ndjson"))["job_id"])
        assert again["job_id"] != first["job_id"] and (again["registered"], again["unchanged"]) == (0, 10)
        assert await counts(app) == before == (10, 10)
        lines_first = await results(client, "bank-nd", first["job_id"])
        lines_again = await results(client, "bank-nd", again["job_id"])
        assert list(lines_again) == list(range(2, 12))
        assert [r["loan_id"] for r in lines_again.values()] == [r["loan_id"] for r in lines_first.values()]

        rows[3] = {**rows[3], "matures_on": "2028-03-02"}
        changed = await finished(client, "bank-nd", (await upload(client, "bank-nd", ndjson_file(rows), "ndjson"))["job_id"])
        assert (changed["unchanged"], changed["refused"]) == (9, 1)
        line = (await results(client, "bank-nd", changed["job_id"], outcome="refused"))[4]
        assert (line["code"], line["field"], line["bank_loan_no"]) == ("LOAN_NO_TAKEN", "matures_on", "ND-3")
        assert await counts(app) == before

        page = await client.get(f"/v1/loan-files/{first['job_id']}/results", headers=bank_headers("bank-nd"),
                                params={"limit": 4, "after_line": 3})
        assert [r["line"] for r in page.json()["results"]] == [4, 5, 6, 7] and page.json()["next_after_line"] == 7
        listed = (await client.get("/v1/loan-files", headers=bank_headers("bank-nd"))).json()
        assert {j["job_id"] for j in listed} == {first["job_id"], again["job_id"], changed["job_id"]}


async def test_ndjson_lines_that_are_not_loans_are_refused_each_with_its_reason(sqlite_url, clock):
    app = build(sqlite_url, clock, **FAST)
    async with app_client(app) as client:
        code = uscc()
        await seed_good_standing(app, code)
        await admit(client, "bank-bad")
        data = b"\n".join([
            orjson.dumps(loan_body(code, "B-1")),
            b'{"bank_loan_no": "B-2", "uscc": ',
            b'["not", "an", "object"]',
            orjson.dumps({**loan_body(code, "B-3"), "colour": "red"}),
            orjson.dumps({k: v for k, v in loan_body(code, "B-4").items() if k != "issued_on"}),
        ])
        job = await finished(client, "bank-bad", (await upload(client, "bank-bad", data, "ndjson"))["job_id"])
        lines = await results(client, "bank-bad", job["job_id"])
        assert [(n, r["outcome"], r["code"], r["field"]) for n, r in lines.items()] == [
            (1, "registered", None, None), (2, "refused", "JSON_INVALID", None), (3, "refused", "JSON_NOT_OBJECT", None),
            (4, "refused", "VALIDATION_FAILED", "colour"), (5, "refused", "VALIDATION_FAILED", "issued_on")]


async def test_files_refused_whole_and_jobs_kept_to_their_bank(sqlite_url, clock):
    app = build(sqlite_url, clock, **FAST)
    async with app_client(app) as client:
        await admit(client, "bank-a")
        await admit(client, "bank-b")
        post = client.post

        async def refused(data: bytes, params: dict, headers: dict | None = None) -> tuple[int, str]:
            response = await post("/v1/loan-files", headers=headers or bank_headers("bank-a"), params=params,
                                  content=data)
            assert response.headers["content-type"].startswith("application/problem+json"), response.text
            return response.status_code, response.json()["code"]

        assert await refused(b"\n \n", {"format": "ndjson"}) == (400, "LOAN_FILE_EMPTY")
        assert (await refused(b"bank_loan_no,colour\r\nX,red\r\n", {"format": "csv"}))[1] == "LOAN_FILE_HEADER"
        assert await refused(b"{}\n" * 100_001, {"format": "ndjson"}) == (413, "LOAN_FILE_TOO_MANY_LINES")
        assert (await refused(b"{}\n", {"format": "xml"}))[0] == 422
        headers = {**bank_headers("bank-a"), "content-type": "text/csv; charset=big5"}
        assert await refused(b"{}\n", {"format": "csv"}, headers) == (415, "LOAN_FILE_ENCODING")
        assert (await refused(b"{}\n", {"format": "ndjson"}, LG))[0] == 403
        assert await refused(b"{}\n", {"format": "ndjson"}, bank_headers("bank-never")) == (403, "BANK_NOT_ADMITTED")

        code = uscc()
        job = await upload(client, "bank-a", ndjson_file([loan_body(code, "A-1")]), "ndjson")
        other = await client.get(f"/v1/loan-files/{job['job_id']}", headers=bank_headers("bank-b"))
        assert (other.status_code, other.json()["code"]) == (404, "LOAN_FILE_NOT_FOUND")
        assert (await client.get(f"/v1/loan-files/{job['job_id']}/results", headers=bank_headers("bank-b"))).status_code == 404
        assert (await client.get("/v1/loan-files", headers=bank_headers("bank-b"))).json() == []
        assert [j["job_id"] for j in (await client.get("/v1/loan-files", headers=LG)).json()] == [job["job_id"]]
        done = await finished(client, "bank-a", job["job_id"])
        assert (done["uploaded_by"], done["registered"]) == ("bank-a", 1)
        assert date.fromisoformat(done["created_at"][:10]) == date(2027, 7, 1)


async def test_a_job_stopped_between_batches_resumes_after_its_last_whole_batch(db_url, clock, monkeypatch):
    app = build(db_url, clock, loan_file_poll_interval_s=3600.0)  # the app's own worker stays idle: this test runs it
    async with app_client(app) as client:
        codes = [uscc() for _ in range(5)]
        for code in codes:
            await seed_good_standing(app, code)
        await admit(client, "bank-stop")
        job = await upload(client, "bank-stop", ndjson_file([loan_body(c, f"S-{i}") for i, c in enumerate(codes)]),
                           "ndjson")
        runtime, deps = app.state.runtime, app.state.deps
        config = loan_files.JobConfig(batch_lines=2, lease=timedelta(0))  # a stopped worker's job is free at once
        register, calls = loans.register_loans, []

        async def stops_on_the_second_batch(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls.append(1)
            if len(calls) == 2:
                raise ConnectionResetError("the worker's process stopped here")
            return await register(*args, **kwargs)

        monkeypatch.setattr(loans, "register_loans", stops_on_the_second_batch)
        row = await loan_files.take_next(runtime, config)
        assert row.job_id == job["job_id"]
        with pytest.raises(ConnectionResetError):
            await loan_files.run_job(runtime, deps, row, config)
        halfway = (await client.get(f"/v1/loan-files/{job['job_id']}", headers=bank_headers("bank-stop"))).json()
        assert (halfway["status"], halfway["lines_done"], halfway["registered"]) == ("running", 2, 2)

        again = await loan_files.take_next(runtime, config)  # the lease ran out: another worker takes the job
        assert (again.job_id, again.lines_done) == (job["job_id"], 2)
        await loan_files.run_job(runtime, deps, again, config)
        done = await finished(client, "bank-stop", job["job_id"])
        assert (done["status"], done["lines_done"], done["registered"], done["refused"]) == ("done", 5, 5, 0)
        assert list(await results(client, "bank-stop", job["job_id"])) == [1, 2, 3, 4, 5]
        assert await counts(app) == (5, 5)
        assert await loan_files.take_next(runtime, config) is None
