from __future__ import annotations

import pytest

from credit_data.domain.records import RecordRejected, validate_record

from .factories import AS_OF, TODAY, raw_si, raw_tax, raw_utility, record


def _rejection(raw, allowed=frozenset({"water", "tax", "social_insurance"})) -> RecordRejected:
    with pytest.raises(RecordRejected) as caught:
        validate_record(raw, provider="water-ly", allowed_sources=allowed, today=TODAY)
    return caught.value


def test_valid_utility_record_is_stored_in_fen_and_thousandths():
    rec = record(raw_utility(AS_OF - 1))
    assert rec.amount_due_fen == 36150
    assert rec.consumption_milli == 120_500
    assert rec.kind == "utility"
    assert rec.paid_on_time


def test_wrong_check_character_is_rejected_on_the_uscc_field():
    raw = raw_utility(AS_OF - 1)
    raw["uscc"] = raw["uscc"][:17] + ("0" if raw["uscc"][17] != "0" else "1")
    error = _rejection(raw)
    assert (error.field, error.code) == ("uscc", "USCC_INVALID")


def test_period_in_the_future_is_rejected():
    error = _rejection(raw_utility(AS_OF + 1, due_on="2027-01-25", paid_on=None, amount_paid="0"))
    assert (error.field, error.code) == ("period", "PERIOD_IN_FUTURE")


@pytest.mark.parametrize("amount", ["-1.00", "1.234", "1e3", 12.5])
def test_negative_or_inexact_money_is_rejected(amount):
    error = _rejection(raw_utility(AS_OF - 1, amount_due=amount))
    assert (error.field, error.code) == ("amount_due", "MONEY_INVALID")


def test_due_date_before_the_period_is_inconsistent():
    error = _rejection(raw_utility(AS_OF - 1, due_on="2000-01-01"))
    assert (error.field, error.code) == ("due_on", "DATES_INCONSISTENT")


def test_payment_without_a_paid_date_is_refused():
    error = _rejection(raw_utility(AS_OF - 1, paid_on=None))
    assert (error.field, error.code) == ("paid_on", "FIELD_REQUIRED")


def test_provider_cannot_push_a_source_it_does_not_hold():
    error = _rejection(raw_tax(AS_OF - 1), allowed=frozenset({"water"}))
    assert (error.field, error.code) == ("source", "SOURCE_NOT_ALLOWED")


def test_unit_must_fit_the_source():
    error = _rejection(raw_utility(AS_OF - 1, unit="kWh"))
    assert (error.field, error.code) == ("unit", "UNIT_INVALID")


def test_tax_grade_outside_the_official_five_is_rejected():
    error = _rejection(raw_tax(AS_OF - 1, tax_credit_grade="E"))
    assert error.field == "tax_credit_grade"


def test_csv_spelling_and_json_spelling_hash_the_same():
    as_json = record(raw_si(AS_OF - 1, headcount=20))
    as_csv = record({k: (str(v) if v is not None else "") for k, v in raw_si(AS_OF - 1, headcount=20).items()})
    assert as_json.content_hash == as_csv.content_hash


def test_changed_content_changes_the_hash():
    before = record(raw_tax(AS_OF - 1))
    after = record(raw_tax(AS_OF - 1, tax_paid="5200.01"))
    assert before.content_hash != after.content_hash


def test_late_payment_is_not_on_time():
    rec = record(raw_utility(AS_OF - 1, paid_on=None, amount_paid="0", arrears="361.50"))
    assert not rec.paid_on_time


@pytest.mark.parametrize("amount", ["１２３", "²", "12.５"])
def test_non_ascii_digits_are_not_money(amount):
    error = _rejection(raw_utility(AS_OF - 1, amount_due=amount))
    assert (error.field, error.code) == ("amount_due", "MONEY_INVALID")


@pytest.mark.parametrize("count", ["²", "１２", "-3", 2.5, True])
def test_headcount_must_be_a_plain_whole_number(count):
    error = _rejection(raw_si(AS_OF - 1, headcount=count))
    assert (error.field, error.code) == ("insured_headcount", "FIELD_INVALID")


def test_consumption_with_superscript_digit_is_refused_not_crashing():
    error = _rejection(raw_utility(AS_OF - 1, consumption="1²"))
    assert error.field == "consumption"


def test_stored_columns_follow_the_record_fields_in_order():
    """Invariant: rows are read back positionally, so the table's record columns mirror FeedRecord's fields."""
    from credit_data.adapters.tables import RECORD_COLUMNS
    from credit_data.domain.records import FeedRecord

    assert FeedRecord._fields == RECORD_COLUMNS
