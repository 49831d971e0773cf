from __future__ import annotations

from credit_data.domain.profiles import build_profile

from .factories import AS_OF, USCC, months_back, raw_si, raw_utility, record


def test_two_meters_in_one_month_fold_into_one_month():
    period = AS_OF - 1
    records = [
        record(raw_utility(period, rid="a", consumption="10")),
        record(raw_utility(period, rid="b", consumption="5", paid_on=None, amount_paid="0", arrears="1.00")),
    ]
    water = build_profile(USCC, records, as_of_period=AS_OF).sources["water"]
    assert water.months_covered == 1
    assert water.on_time_12_bp == 0
    assert water.arrears_fen == 100


def test_on_time_ratio_counts_months_in_the_window():
    records = [record(raw_utility(p)) for p in months_back(8, 5)]
    records += [record(raw_utility(p, paid_on=None, amount_paid="0")) for p in months_back(2, 1)]
    water = build_profile(USCC, records, as_of_period=AS_OF).sources["water"]
    assert water.on_time_12_bp == 8000


def test_year_on_year_trend_compares_monthly_averages():
    records = [record(raw_utility(p, consumption="100")) for p in months_back(12, 12)]
    records += [record(raw_utility(p, consumption="50")) for p in months_back(11, 1)]
    water = build_profile(USCC, records, as_of_period=AS_OF).sources["water"]
    assert water.consumption_yoy_bp == -5000


def test_headcount_change_is_measured_over_three_months():
    records = [record(raw_si(AS_OF - 4, headcount=100)), record(raw_si(AS_OF - 1, headcount=65))]
    si = build_profile(USCC, records, as_of_period=AS_OF).sources["social_insurance"]
    assert si.headcount_change_3m_bp == -3500


def test_arrears_run_stops_at_a_gap_in_months():
    records = [
        record(raw_utility(AS_OF - 4, paid_on=None, amount_paid="0", arrears="5")),
        record(raw_utility(AS_OF - 1, paid_on=None, amount_paid="0", arrears="5")),
    ]
    water = build_profile(USCC, records, as_of_period=AS_OF).sources["water"]
    assert water.arrears_run == 1
