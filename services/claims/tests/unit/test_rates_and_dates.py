from datetime import date

import pytest
from xinyidai_shared.errors import Invalid

from claims.domain.dates import add_months, term_months
from claims.domain.rates import ReferenceRates, default_tables, format_rate_percent, parse_rate_percent


def test_percent_text_parses_to_exact_ppm_and_back():
    assert parse_rate_percent("5.655") == 56_550
    assert parse_rate_percent("4") == 40_000
    assert format_rate_percent(56_550) == "5.6550"


@pytest.mark.parametrize("text", ["5.65501", "-1", "5,6", "1e2", ""])
def test_percent_text_with_more_than_four_decimals_or_junk_is_refused(text):
    with pytest.raises(Invalid) as err:
        parse_rate_percent(text)
    assert err.value.code == "RATE_INVALID"


def test_cap_on_pboc_benchmark_is_exactly_130_percent():
    applied = ReferenceRates(default_tables()).applied(date(2019, 6, 1), 12)
    assert (applied.source, applied.reference_rate_ppm, applied.cap_ppm) == ("pboc_benchmark", 43_500, 56_550)
    assert ReferenceRates(default_tables()).applied(date(2019, 6, 1), 13).reference_rate_ppm == 47_500


def test_lpr_replaces_benchmark_on_its_effective_date():
    rates = ReferenceRates(default_tables())
    assert rates.applied(date(2019, 12, 31), 12).source == "pboc_benchmark"
    assert rates.applied(date(2020, 1, 1), 12).source == "lpr"
    assert rates.applied(date(2025, 5, 19), 12).reference_rate_ppm == 31_000
    assert rates.applied(date(2025, 5, 20), 12).reference_rate_ppm == 30_000
    assert rates.applied(date(2025, 5, 20), 36).cap_ppm == 39_000  # loans up to 5 years use the 1-year LPR


def test_issue_date_before_every_table_is_refused():
    with pytest.raises(Invalid) as err:
        ReferenceRates(default_tables()).applied(date(2010, 1, 1), 12)
    assert err.value.code == "NO_REFERENCE_RATE"


def test_month_steps_clamp_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 1), -3) == date(2025, 12, 1)


@pytest.mark.parametrize(
    ("matures_on", "months"),
    [(date(2027, 3, 2), 12), (date(2027, 3, 3), 13), (date(2028, 3, 2), 24), (date(2028, 3, 3), 25),
     (date(2029, 3, 2), 36), (date(2029, 3, 3), 37), (date(2026, 3, 3), 1)],
)
def test_term_is_whole_months_rounded_up(matures_on, months):
    assert term_months(date(2026, 3, 2), matures_on) == months


def test_profile_in_force_on_the_issue_date_is_chosen_by_effective_date():
    from claims.domain.policy import ProfilePeriod, ProfileSchedule

    schedule = ProfileSchedule([ProfilePeriod(date(2000, 1, 1), "measures"), ProfilePeriod(date(2026, 6, 1), "plan")])
    assert schedule.in_force_on(date(2026, 5, 31)).name == "measures"
    assert schedule.in_force_on(date(2026, 6, 1)).name == "plan"
    with pytest.raises(Invalid):
        schedule.in_force_on(date(1999, 12, 31))
