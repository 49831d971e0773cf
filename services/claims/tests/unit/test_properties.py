"""Properties that must hold for every input, checked with Hypothesis."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from claims.domain.classification import SEVERITY, floor_for
from claims.domain.compensation import expected_compensation
from claims.domain.dates import add_months, term_months
from claims.domain.policy import MEASURES, PLAN
from claims.domain.rates import ReferenceRateTable, ReferenceRates, TermBand, format_rate_percent, parse_rate_percent

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@given(days, st.integers(min_value=1, max_value=2000))
def test_term_is_the_fewest_whole_months_that_reach_maturity(issued, length_days):
    matures = issued + timedelta(days=length_days)
    months = term_months(issued, matures)
    assert add_months(issued, months) >= matures
    assert months == 1 or add_months(issued, months - 1) < matures


@given(st.integers(min_value=1, max_value=2000))
def test_cap_is_exactly_130_percent_of_any_basis_point_reference(rate_bp):
    rates = ReferenceRates([ReferenceRateTable(date(2000, 1, 1), "lpr", (TermBand(None, rate_bp),))])
    applied = rates.applied(date(2020, 1, 1), 12)
    assert applied.cap_ppm * 10 == applied.reference_rate_ppm * 13


@given(st.integers(min_value=0, max_value=9_999_999))  # up to 999.9999%
def test_rate_text_round_trips_exactly(ppm):
    assert parse_rate_percent(format_rate_percent(ppm)) == ppm


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_floor_never_gets_milder_as_days_past_due_grow(a, b):
    low, high = sorted((a, b))
    assert SEVERITY[floor_for(low)] <= SEVERITY[floor_for(high)]


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=10**10))
def test_expected_compensation_never_breaks_a_cap_or_the_ratio(principal, committed):
    measures = expected_compensation(MEASURES, principal, committed)
    assert 0 <= measures.expected_fen <= min(measures.by_ratio_fen, MEASURES.per_loan_cap_fen)
    assert measures.expected_fen + committed <= max(MEASURES.bank_cap_fen, committed)
    plan = expected_compensation(PLAN, principal, committed)
    assert plan.expected_fen == plan.by_ratio_fen >= measures.by_ratio_fen  # the Plan states no caps
