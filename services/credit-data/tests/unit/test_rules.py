from __future__ import annotations

import io
from datetime import date

import pytest
from xinyidai_shared.dishonesty import in_force
from xinyidai_shared.errors import DomainError

from credit_data.domain.dishonesty import DishonestyTerms, check_repair, check_terms
from credit_data.domain.feeds import LineProblem, check_header, normalise_encoding, read_csv, read_ndjson
from credit_data.domain.letters import check_letter, identity_changed, void_reason_code
from credit_data.domain.profiles import build_profile
from credit_data.domain.risk import dishonesty_hit, grade_hit, profile_hits

from .factories import AS_OF, USCC, months_back, raw_si, raw_tax, raw_utility, record

D = date(2026, 5, 1)


def test_dishonesty_binds_from_start_through_expiry_until_repair():
    assert not in_force(D, date(2026, 6, 1), None, on=date(2026, 4, 30))
    assert in_force(D, date(2026, 6, 1), None, on=date(2026, 6, 1))
    assert not in_force(D, date(2026, 6, 1), None, on=date(2026, 6, 2))
    assert not in_force(D, None, date(2026, 5, 10), on=date(2026, 5, 10))


def test_dishonesty_terms_refuse_expiry_before_start_and_future_start():
    with pytest.raises(DomainError) as caught:
        check_terms(DishonestyTerms("fraud", D, date(2026, 4, 30)), today=date(2026, 11, 1))
    assert caught.value.code == "DISHONESTY_EXPIRY_INVALID"
    assert check_terms(DishonestyTerms("fraud", D, D), today=date(2026, 11, 1)).expires_on == D  # one day in force
    with pytest.raises(DomainError):
        check_terms(DishonestyTerms("fraud", date(2027, 1, 1), None), today=date(2026, 11, 1))


def test_a_record_already_ended_cannot_be_repaired_again():
    with pytest.raises(DomainError) as caught:
        check_repair(D, date(2026, 6, 1), date(2026, 7, 1), today=date(2026, 11, 1))
    assert caught.value.code == "DISHONESTY_ALREADY_ENDED"


def test_two_months_of_utility_arrears_and_new_tax_arrears_are_hits():
    records = [record(raw_utility(p, paid_on=None, amount_paid="0", arrears="9")) for p in months_back(2)]
    records += [record(raw_tax(AS_OF - 2)), record(raw_tax(AS_OF - 1, arrears="100.00"))]
    hits = {h.rule for h in profile_hits(build_profile(USCC, records, as_of_period=AS_OF))}
    assert hits == {"UTILITY_ARREARS_2M", "NEW_TAX_ARREARS"}


def test_headcount_drop_of_thirty_percent_is_a_hit_and_its_alert_id_is_stable():
    records = [record(raw_si(AS_OF - 4, 100)), record(raw_si(AS_OF - 1, 70))]
    (hit,) = profile_hits(build_profile(USCC, records, as_of_period=AS_OF))
    assert hit.rule == "HEADCOUNT_DROP_30"
    assert hit.alert_id(USCC) == profile_hits(build_profile(USCC, records, as_of_period=AS_OF))[0].alert_id(USCC)


def test_falling_out_of_lending_grades_is_critical_and_upgrades_are_not_hits():
    assert grade_hit("A", "B", "k").severity == "critical"
    assert grade_hit("AAA", "AA", "k").severity == "warning"
    assert grade_hit("B", "A", "k") is None
    assert dishonesty_hit("r1", "x").severity == "critical"


def test_letter_must_be_a_complete_pdf_within_the_limit():
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
    assert len(check_letter(pdf, max_bytes=1000)) == 64
    for content, code in ((b"", "LETTER_EMPTY"), (b"GIF89a", "LETTER_NOT_PDF"), (pdf * 100, "LETTER_TOO_LARGE")):
        with pytest.raises(DomainError) as caught:
            check_letter(content, max_bytes=1000)
        assert caught.value.code == code


def test_new_legal_representative_voids_but_first_registration_does_not():
    assert identity_changed("甲公司", "张三", "甲公司", "李四")
    assert not identity_changed(None, None, "甲公司", "张三")


def test_void_reason_names_the_change_and_the_signatory_comes_first():
    assert void_reason_code("甲公司", "张三", "甲公司", "张三") is None
    assert void_reason_code(None, None, "甲公司", "张三") is None
    assert void_reason_code("甲公司", "张三", "甲公司", "李四") == "LEGAL_REPRESENTATIVE_CHANGED"
    assert void_reason_code("甲公司", "张三", "乙公司", "张三") == "NAME_CHANGED"
    assert void_reason_code("甲公司", "张三", "乙公司", "李四") == "LEGAL_REPRESENTATIVE_CHANGED"


def test_csv_header_with_unknown_or_missing_columns_is_refused():
    with pytest.raises(DomainError) as caught:
        check_header(["uscc", "source", "period", "colour"])
    assert caught.value.code == "HEADER_INVALID"
    assert caught.value.extra["missing"] == ["source_record_id"]


def test_gb18030_csv_rows_are_read_with_their_physical_line_numbers():
    text = "source_record_id,uscc,source,period,account_no\nr1,U,water,2026-01,凌源一号\nr2,U,water\n"
    rows = list(read_csv(io.BytesIO(text.encode("gb18030")), "gb18030"))
    assert rows[0] == (2, {"source_record_id": "r1", "uscc": "U", "source": "water", "period": "2026-01", "account_no": "凌源一号"})
    assert rows[1][0] == 3 and isinstance(rows[1][1], LineProblem)


def test_ndjson_bad_lines_are_reported_and_reading_goes_on():
    data = b'{"a":1}\nnot json\n[1]\n\n{"b":2}\n'
    rows = list(read_ndjson(io.BytesIO(data), "utf-8"))
    assert [n for n, _ in rows] == [1, 2, 3, 5]
    assert [type(v).__name__ for _, v in rows] == ["dict", "LineProblem", "LineProblem", "dict"]


def test_gbk_is_read_as_gb18030_and_unknown_charsets_are_refused():
    assert normalise_encoding("GBK") == "gb18030"
    with pytest.raises(DomainError) as caught:
        normalise_encoding("latin-1")
    assert caught.value.code == "ENCODING_UNSUPPORTED"


def test_csv_row_with_an_oversized_field_is_one_bad_line_and_reading_goes_on():
    huge = "x" * 200_000
    text = f"source_record_id,uscc,source,period\nr1,U,water,2026-01\nr2,{huge},water,2026-01\nr3,U,water,2026-02\n"
    rows = list(read_csv(io.BytesIO(text.encode()), "utf-8"))
    assert [n for n, _ in rows] == [2, 3, 4]
    assert isinstance(rows[1][1], LineProblem) and rows[1][1].code == "CSV_INVALID"
    assert rows[2][1]["source_record_id"] == "r3"
