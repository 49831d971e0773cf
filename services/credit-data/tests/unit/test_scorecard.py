from __future__ import annotations

from credit_data.domain.profiles import build_profile
from credit_data.domain.scorecard import LENDING_GRADES, MODEL_VERSION, UNRATED, grade_for, is_downgrade, rate

from .factories import AS_OF, USCC, months_back, raw_si, raw_tax, raw_utility, record


def _rate(records, **kw):
    return rate(build_profile(USCC, records, as_of_period=AS_OF, **kw))


def _demo_records(**tax_over):
    water = [record(raw_utility(p)) for p in months_back(12)]
    tax = [record(raw_tax(p, **tax_over)) for p in months_back(12)]
    return water + tax


def test_twelve_clean_months_of_water_and_tax_lend_at_grade_a_or_better():
    rating = _rate(_demo_records())
    assert rating.grade in LENDING_GRADES
    assert rating.has_report
    assert rating.model_version == MODEL_VERSION
    assert "UTILITY_PAID_ON_TIME" in rating.reason_codes


def test_a_tax_grade_a_lifts_the_demo_enterprise_to_aa():
    assert _rate(_demo_records(tax_credit_grade="A")).grade == "AA"


def test_a_single_source_is_unrated_and_has_no_report():
    rating = _rate([record(raw_utility(p)) for p in months_back(24)])
    assert rating.grade == UNRATED
    assert rating.score is None
    assert not rating.has_report
    assert rating.reason_codes == ("INSUFFICIENT_DATA",)


def test_five_months_of_a_second_source_is_not_enough():
    records = [record(raw_utility(p)) for p in months_back(12)] + [record(raw_tax(p)) for p in months_back(5)]
    assert _rate(records).grade == UNRATED


def test_data_older_than_two_years_does_not_count():
    records = [record(raw_utility(p)) for p in months_back(12, 30)] + [record(raw_tax(p)) for p in months_back(12, 30)]
    assert _rate(records).grade == UNRATED


def test_running_utility_arrears_pull_the_grade_below_lending():
    water = [record(raw_utility(p)) for p in months_back(10, 3)]
    water += [
        record(raw_utility(p, paid_on=None, amount_paid="0", arrears="361.50")) for p in months_back(2)
    ]
    rating = _rate(water + [record(raw_tax(p)) for p in months_back(12)])
    assert rating.grade not in LENDING_GRADES
    assert "UTILITY_ARREARS_RUNNING" in rating.reason_codes


def test_active_dishonesty_caps_the_grade_at_c_even_for_a_perfect_record():
    records = _demo_records(tax_credit_grade="A") + [record(raw_si(p)) for p in months_back(24)]
    assert _rate(records).grade == "AAA"
    capped = _rate(records, active_dishonesty=1)
    assert capped.grade in {"C", "D"}
    assert capped.reason_codes[0] == "DISHONESTY_RECORD"


def test_three_zero_use_months_mark_the_enterprise_dormant():
    water = [record(raw_utility(p)) for p in months_back(9, 4)]
    water += [record(raw_utility(p, consumption="0")) for p in months_back(3)]
    rating = _rate(water + [record(raw_tax(p)) for p in months_back(12)])
    assert "DORMANT" in rating.reason_codes


def test_reason_codes_rank_the_biggest_movers_first():
    rating = _rate(_demo_records(tax_credit_grade="D"))
    assert rating.reason_codes[0] == "TAX_GRADE_D"
    points = {f.code: f.points for f in rating.factors}
    assert rating.score == 600 + sum(points.values())


def test_grade_floors_and_downgrades():
    assert [grade_for(s) for s in (800, 799, 740, 680, 679, 600, 480, 479)] == [
        "AAA", "AA", "AA", "A", "B", "B", "C", "D"
    ]
    assert is_downgrade("A", "B")
    assert not is_downgrade("B", "A")
    assert not is_downgrade(None, "D")
    assert not is_downgrade("A", UNRATED)


def test_the_documented_demo_feed_scores_730_grade_a_and_790_aa_with_tax_grade_a():
    from credit_data.demo_feed import demo_batches

    from .factories import TODAY

    for tax_grade, score, grade in ((None, 730, "A"), ("A", 790, "AA")):
        batches = demo_batches(USCC, today=TODAY, tax_credit_grade=tax_grade)
        rating = _rate([record(r) for r in batches["water"] + batches["tax"]])
        assert (rating.score, rating.grade) == (score, grade)
