"""The working-day calendar: official holidays and make-up days, weekday fallback, override table."""

from __future__ import annotations

from datetime import date

import pytest

from xinyidai_shared.workdays import (
    calendar_known,
    is_working_day,
    next_working_day,
    notice_end,
    working_days_between,
)


def test_calendar_knows_2026_but_not_2027() -> None:
    assert calendar_known(2026)
    assert calendar_known(2004)
    assert not calendar_known(2027)
    assert not calendar_known(1999)


def test_national_day_2026_is_a_holiday_and_its_make_up_saturday_is_a_working_day() -> None:
    assert not is_working_day(date(2026, 10, 1))  # Thursday, National Day
    assert not is_working_day(date(2026, 10, 7))  # Wednesday, still in the golden week
    assert is_working_day(date(2026, 10, 8))
    assert is_working_day(date(2026, 10, 10))  # Saturday, make-up working day (调休)
    assert is_working_day(date(2026, 9, 20))  # Sunday, make-up working day
    assert not is_working_day(date(2026, 10, 11))  # ordinary Sunday


def test_an_unknown_year_falls_back_to_weekdays_and_never_raises() -> None:
    assert is_working_day(date(2027, 1, 1))  # a Friday: the fallback knows no holidays
    assert not is_working_day(date(2027, 1, 2))  # Saturday
    assert not is_working_day(date(2027, 1, 3))  # Sunday
    assert is_working_day(date(2099, 6, 1))  # a Monday far beyond any data
    assert is_working_day(date(1990, 1, 2))  # a Tuesday before the data starts


def test_override_table_takes_precedence_over_the_fallback_and_over_the_official_calendar() -> None:
    overrides = {date(2027, 1, 1): False, date(2026, 10, 1): True, date(2027, 1, 9): True}
    assert not is_working_day(date(2027, 1, 1), overrides)
    assert is_working_day(date(2027, 1, 9), overrides)  # a Saturday declared a make-up day
    assert is_working_day(date(2026, 10, 1), overrides)


def test_next_working_day_skips_the_whole_golden_week() -> None:
    assert next_working_day(date(2026, 9, 30)) == date(2026, 9, 30)
    assert next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_five_day_notice_across_national_day_2026_skips_holidays_and_counts_the_make_up_saturday() -> None:
    # 9-28 Mon, 9-29 Tue, 9-30 Wed work; 10-1..10-7 holiday; 10-8 Thu is day 4, 10-9 Fri day 5.
    assert notice_end(date(2026, 9, 28), 5) == date(2026, 10, 9)
    # 9-30 is day 1, 10-8 day 2, 10-9 day 3, 10-10 (make-up Saturday) day 4, 10-12 Mon day 5.
    assert notice_end(date(2026, 9, 30), 5) == date(2026, 10, 12)


def test_notice_starting_on_a_holiday_counts_from_the_next_working_day() -> None:
    assert notice_end(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert notice_end(date(2026, 10, 3), 5) == date(2026, 10, 13)


def test_notice_starting_late_december_2026_crosses_into_2027_without_crashing() -> None:
    # 12-28 Mon .. 12-31 Thu are days 1-4; 2027-01-01 (Fri) is day 5 under the weekday fallback.
    assert notice_end(date(2026, 12, 28), 5) == date(2027, 1, 1)
    assert notice_end(date(2026, 12, 31), 5) == date(2027, 1, 6)


def test_notice_crossing_into_2027_honours_the_officers_override_for_new_year() -> None:
    overrides = {date(2027, 1, 1): False}
    assert notice_end(date(2026, 12, 28), 5, overrides) == date(2027, 1, 4)


def test_zero_day_notice_ends_on_its_start_and_a_negative_one_is_refused() -> None:
    assert notice_end(date(2026, 10, 1), 0) == date(2026, 10, 1)
    with pytest.raises(ValueError):
        notice_end(date(2026, 10, 1), -1)


def test_working_days_between_counts_the_closed_range() -> None:
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 9)) == 5
    assert working_days_between(date(2026, 10, 9), date(2026, 9, 28)) == 0
