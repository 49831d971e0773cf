"""Reading a loan file back line by line: numbering, encodings, CSV headers, and a declaration that repeats."""

from datetime import date

from claims.domain.eligibility import LoanFacts, LoanType, Purpose
from claims.domain.registration import Application
from claims.service_layer.loan_files import LineError, records

HEADER = ("bank_loan_no,uscc,principal,annual_rate,issued_on,matures_on,purpose,purpose_category,loan_type,"
          "through_platform,first_loan")


async def _read(chunks: list[bytes], fmt: str, encoding: str = "utf-8") -> list[tuple[int, object]]:
    async def stream():  # noqa: ANN202
        for chunk in chunks:
            yield chunk

    return [item async for item in records(stream(), fmt, encoding)]


async def test_lines_split_across_chunks_keep_their_numbers_and_blank_lines_count():
    data = b'\xef\xbb\xbf{"a": 1}\r\n\n{"b": "\xe4\xb8\xad"}\n  \n{"c": 3}'  # a BOM, CRLF, blanks, no final LF
    for size in (1, 3, 7, len(data)):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert await _read(chunks, "ndjson") == [(1, {"a": 1}), (3, {"b": "中"}), (5, {"c": 3})]


async def test_gb18030_csv_is_read_as_text_and_a_foreign_line_is_named():
    row = "N-1,91211382MA0XYD0011,1000.00,3.9,2026-03-02,2027-03-02,流动资金,working_capital,pure_credit,true,true"
    data = (HEADER + "\r\n" + row + "\r\n").encode("gb18030") + "N-2,短\r\n".encode("gb18030") + b"\x81\x20\r\n"
    read = await _read([data], "csv", "gb18030")
    assert read[0] == (2, dict(zip(HEADER.split(","), row.split(","), strict=True)))
    assert read[0][1]["purpose"] == "流动资金"
    assert [(n, e.code) for n, e in read[1:]] == [(3, "CSV_COLUMNS"), (4, "LINE_ENCODING")]
    # The same bytes read as UTF-8 are not text: each line says so rather than being guessed at.
    assert all(isinstance(item, LineError) for _, item in await _read([data], "csv"))


async def test_a_csv_header_that_is_not_ours_refuses_every_line():
    read = await _read([b"bank_loan_no,colour\nX,red\nY,blue\n"], "csv")
    assert [(n, e.code) for n, e in read] == [(2, "LOAN_FILE_HEADER"), (3, "LOAN_FILE_HEADER")]


def test_a_number_declared_again_differs_in_the_first_field_in_the_banks_words():
    facts = LoanFacts(uscc="91211382MA0XYD0011", rate_ppm=39_000, issued_on=date(2026, 3, 2),
                      matures_on=date(2027, 3, 2), purpose_category=Purpose.WORKING_CAPITAL,
                      loan_type=LoanType.PURE_CREDIT, through_platform=True, first_loan=True)
    first = Application("N-1", 100_000, facts, "orders", None)
    assert first.first_difference(Application("N-1", 100_000, facts, "orders", None)) is None
    later = Application("N-1", 100_000, LoanFacts(**{**facts.__dict__, "rate_ppm": 38_500}), "stock", "pr_1")
    assert first.first_difference(later) == "annual_rate"
    assert first.first_difference(Application("N-1", 100_001, facts, "stock", None)) == "principal"
