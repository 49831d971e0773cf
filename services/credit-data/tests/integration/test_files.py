"""Bulk feed files: streamed upload, job with progress and a final report, 4xx for unreadable files."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from xinyidai_shared.testing import eventually

from .helpers import OFFICE, TAX, WATER, new_uscc, running, tax, water

pytestmark = pytest.mark.asyncio
COLUMNS = ["source_record_id", "uscc", "source", "period", "account_no", "consumption", "unit",
           "amount_due", "amount_paid", "due_on", "paid_on", "arrears", "disconnected"]  # fmt: skip


def _csv(rows: list[dict], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _ndjson(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


async def _finished(client, job_id: str, headers: dict) -> dict:
    state: dict = {}

    async def done() -> bool:
        state.update((await client.get(f"/v1/feeds/jobs/{job_id}", headers=headers)).json())
        return state["status"] in {"done", "failed"}

    await eventually(done, timeout_s=20)
    return state


async def test_gb18030_csv_with_chinese_account_names_is_ingested_and_rated(db_url, tmp_path):
    uscc = new_uscc()
    rows = [water(uscc, ago, account_no=f"凌源水表{ago}号") for ago in range(1, 13)]
    body = _csv(rows).encode("gb18030")
    async with running(db_url, tmp_path) as client:
        response = await client.post(
            "/v1/feeds/files?format=csv", content=body, headers=WATER | {"Content-Type": "text/csv; charset=GB18030"}
        )
        assert response.status_code == 202, response.text
        job = await _finished(client, response.json()["id"], WATER)
        assert (job["status"], job["accepted"], job["rejected"], job["rated"]) == ("done", 12, 0, 1)
        profile = (await client.get(f"/v1/enterprises/{uscc}/profile", headers=OFFICE)).json()
        assert profile["sources"]["water"]["months_covered"] == 12


async def test_file_with_bad_lines_keeps_the_good_ones_and_reports_line_field_reason(db_url, tmp_path):
    uscc = new_uscc()
    lines = _ndjson([water(uscc, 1)]) + b"{not json\n" + _ndjson([water(uscc, 2, amount_due="1.234"), tax(uscc, 3), water(uscc, 4)])
    async with running(db_url, tmp_path) as client:
        response = await client.post("/v1/feeds/files?format=ndjson", content=lines, headers=WATER)
        job = await _finished(client, response.json()["id"], WATER)
        assert (job["accepted"], job["rejected"]) == (2, 3)
        report = (await client.get(f"/v1/feeds/jobs/{job['id']}/rejections", headers=WATER)).json()
        assert [(r["line"], r["field"], r["code"]) for r in report] == [
            (2, "", "JSON_INVALID"), (3, "amount_due", "MONEY_INVALID"), (4, "source", "SOURCE_NOT_ALLOWED")
        ]
        # Paging to the ends of the line cursor's range reaches the database and answers (line is a 32-bit column).
        url = f"/v1/feeds/jobs/{job['id']}/rejections"
        assert [r["line"] for r in (await client.get(url, params={"after_line": 2}, headers=WATER)).json()] == [3, 4]
        assert (await client.get(url, params={"after_line": 2**31 - 1}, headers=WATER)).json() == []
        too_far = await client.get(url, params={"after_line": 2**31}, headers=WATER)
        assert (too_far.status_code, too_far.json()["code"]) == (422, "VALIDATION_FAILED")


async def test_resent_file_is_all_unchanged_and_a_correction_file_supersedes(sqlite_url, tmp_path):
    uscc = new_uscc()
    rows = [water(uscc, ago) for ago in range(1, 7)]
    async with running(sqlite_url, tmp_path) as client:
        first = await client.post("/v1/feeds/files?format=ndjson", content=_ndjson(rows), headers=WATER)
        await _finished(client, first.json()["id"], WATER)
        again = await client.post("/v1/feeds/files?format=ndjson", content=_ndjson(rows), headers=WATER)
        job = await _finished(client, again.json()["id"], WATER)
        assert (job["accepted"], job["unchanged"], job["superseded"]) == (0, 6, 0)
        fixed = [rows[0] | {"consumption": "99"}]
        corr = await client.post("/v1/feeds/files?format=ndjson", content=_ndjson(fixed), headers=WATER)
        job = await _finished(client, corr.json()["id"], WATER)
        assert (job["accepted"], job["unchanged"], job["superseded"]) == (0, 0, 1)


async def test_same_idempotency_key_and_body_replays_the_first_job(sqlite_url, tmp_path):
    body = _ndjson([water(new_uscc(), 1)])
    headers = WATER | {"Idempotency-Key": "file-2026-11-01"}
    async with running(sqlite_url, tmp_path) as client:
        first = await client.post("/v1/feeds/files?format=ndjson", content=body, headers=headers)
        second = await client.post("/v1/feeds/files?format=ndjson", content=body, headers=headers)
        other = await client.post("/v1/feeds/files?format=ndjson", content=body + body, headers=headers)
        assert first.json()["id"] == second.json()["id"]
        assert other.status_code == 409 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_wrong_header_wrong_encoding_and_oversize_are_clear_4xx(sqlite_url, tmp_path):
    uscc = new_uscc()
    async with running(sqlite_url, tmp_path, upload_max_bytes=2000) as client:
        wrong_header = _csv([{"uscc": uscc, "colour": "red"}], ["uscc", "colour"]).encode()
        response = await client.post("/v1/feeds/files?format=csv", content=wrong_header, headers=WATER)
        assert (response.status_code, response.json()["code"]) == (400, "HEADER_INVALID")
        gbk_body = _csv([water(uscc, 1, account_no="凌源水表")]).encode("gb18030")
        response = await client.post("/v1/feeds/files?format=csv&encoding=utf-8", content=gbk_body, headers=WATER)
        assert (response.status_code, response.json()["code"]) == (415, "ENCODING_INVALID")
        big = _ndjson([water(uscc, ago) for ago in range(1, 12)])
        response = await client.post("/v1/feeds/files?format=ndjson", content=big, headers=WATER)
        assert (response.status_code, response.json()["code"]) == (413, "UPLOAD_TOO_LARGE")
        response = await client.post("/v1/feeds/files?format=xml", content=b"<a/>", headers=WATER)
        assert response.status_code == 422
        response = await client.post("/v1/feeds/files?format=csv", files={"file": ("f.csv", b"a,b\n")}, headers=WATER)
        assert (response.status_code, response.json()["code"]) == (415, "RAW_BODY_EXPECTED")


async def test_another_provider_cannot_read_a_job(sqlite_url, tmp_path):
    async with running(sqlite_url, tmp_path) as client:
        response = await client.post("/v1/feeds/files?format=ndjson", content=_ndjson([water(new_uscc(), 1)]), headers=WATER)
        assert (await client.get(f"/v1/feeds/jobs/{response.json()['id']}", headers=TAX)).status_code == 404


async def test_large_file_path_reads_in_a_helper_process_with_the_same_report(db_url, tmp_path):
    """The helper-process reader (used for big files) keeps line numbers, order and outcomes exactly."""
    uscc = new_uscc()
    rows = [water(uscc, ago, account_no=f"凌源{ago}") for ago in range(1, 6)]
    rows.insert(2, water(uscc, 9, amount_paid="x"))  # line 4 of the CSV: a bad amount
    rows.append(water(uscc, 1, consumption="99"))  # the first record again, corrected, in a later batch
    body = _csv(rows).encode("gb18030")
    async with running(db_url, tmp_path, parallel_ingest_min_bytes=0, job_batch_size=2) as client:
        response = await client.post("/v1/feeds/files?format=csv&encoding=gb18030", content=body, headers=WATER)
        job = await _finished(client, response.json()["id"], WATER)
        assert (job["status"], job["accepted"], job["superseded"], job["rejected"], job["lines_done"]) == ("done", 5, 1, 1, 8)
        report = (await client.get(f"/v1/feeds/jobs/{job['id']}/rejections", headers=WATER)).json()
        assert [(r["line"], r["field"]) for r in report] == [(4, "amount_paid")]
        profile = (await client.get(f"/v1/enterprises/{uscc}/profile", headers=OFFICE)).json()
        assert profile["sources"]["water"]["months_covered"] == 5


async def test_gb18030_ndjson_is_read_in_its_declared_charset(sqlite_url, tmp_path):
    uscc = new_uscc()
    text = "".join(orjson.dumps(water(uscc, ago, account_no=f"热力{ago}号")).decode() + "\n" for ago in range(1, 4))
    async with running(sqlite_url, tmp_path) as client:
        headers = WATER | {"Content-Type": "application/x-ndjson; charset=gbk"}
        response = await client.post("/v1/feeds/files?format=ndjson", content=text.encode("gb18030"), headers=headers)
        job = await _finished(client, response.json()["id"], WATER)
        assert (job["encoding"], job["accepted"], job["rejected"]) == ("gb18030", 3, 0)
        rid = water(uscc, 1)["source_record_id"]
        corrected = water(uscc, 1, account_no="热力1号", consumption="1")
        await client.post("/v1/feeds/record", json=corrected, headers=WATER)
        history = (await client.get(f"/v1/feeds/records/{rid}/history", headers=WATER)).json()
        assert history[0]["account_no"] == "热力1号"


async def test_a_csv_header_too_long_to_read_is_a_400_not_a_500(sqlite_url, tmp_path):
    body = ("source_record_id,uscc,source,period,\"" + "x" * 200_000 + "\"\n").encode()
    async with running(sqlite_url, tmp_path) as client:
        response = await client.post("/v1/feeds/files?format=csv", content=body, headers=WATER | {"Content-Type": "text/csv"})
    assert response.status_code == 400
    assert response.json()["code"] == "HEADER_INVALID"
