"""Credit verdict, notice period and objections, list membership history and re-review timing."""

from __future__ import annotations

from datetime import date

import pytest

from whitelist.domain.credit import CreditSnapshot, verdict
from whitelist.domain.membership import (
    MemberStatus,
    Period,
    add_months,
    check_review,
    review_due,
    should_suspend,
    status_on,
)
from whitelist.domain.notice import ObjectionStatus, can_conclude, clean_objection, decide_objection, open_period
from xinyidai_shared.errors import Conflict, Invalid


@pytest.mark.parametrize("grade", ["AAA", "AA", "A"])
def test_credit_passes_with_rating_a_or_better_a_report_and_no_dishonesty(grade: str) -> None:
    assert verdict(CreditSnapshot(grade=grade, has_report=True)).passed


def test_credit_verdict_lists_every_failed_condition() -> None:
    result = verdict(CreditSnapshot(grade="B", has_report=False, active_dishonesty=("r1",)))
    assert not result.passed
    assert result.reason_codes == ("RATING_BELOW_A", "NO_CREDIT_REPORT", "DISHONESTY_RECORDED")
    assert verdict(CreditSnapshot()).reason_codes == ("NO_RATING", "NO_CREDIT_REPORT")
    assert verdict(CreditSnapshot(grade="UNRATED", has_report=True)).reason_codes == ("RATING_BELOW_A",)


def test_notice_across_national_day_2026_ends_after_the_holiday() -> None:
    period = open_period(date(2026, 9, 29), 5)
    assert period.ends_on == date(2026, 10, 10)  # 9-29, 9-30, 10-8, 10-9, 10-10 (make-up Saturday)
    assert not period.over_on(date(2026, 10, 10))
    assert period.over_on(date(2026, 10, 11))
    assert period.accepts_objections_on(date(2026, 10, 5))
    assert not period.accepts_objections_on(date(2026, 10, 11))


def test_notice_opened_on_new_years_eve_2026_ends_in_2027_using_overrides() -> None:
    assert open_period(date(2026, 12, 31), 5).ends_on == date(2027, 1, 6)  # weekday fallback
    overrides = {date(2027, 1, 1): False, date(2027, 1, 4): False}
    assert open_period(date(2026, 12, 31), 5, overrides).ends_on == date(2027, 1, 8)


def test_zero_day_notice_is_over_at_once_but_pending_objections_still_block() -> None:
    period = open_period(date(2026, 10, 1), 0)
    can_conclude(period, date(2026, 10, 1), 0)
    with pytest.raises(Conflict) as caught:
        can_conclude(period, date(2026, 10, 1), 1)
    assert caught.value.code == "OBJECTIONS_PENDING"


def test_running_notice_cannot_be_concluded() -> None:
    with pytest.raises(Conflict) as caught:
        can_conclude(open_period(date(2026, 11, 2), 5), date(2026, 11, 6), 0)
    assert caught.value.code == "NOTICE_RUNNING"


def test_objection_text_is_required_and_bounded() -> None:
    assert clean_objection("  owes wages ", " ") == ("owes wages", None)
    with pytest.raises(Invalid):
        clean_objection(" ", None)
    with pytest.raises(Invalid):
        clean_objection("x" * 2001, None)
    with pytest.raises(Invalid):
        clean_objection("fine", "c" * 201)


def test_objection_is_decided_once() -> None:
    assert decide_objection(ObjectionStatus.PENDING, True) is ObjectionStatus.UPHELD
    assert decide_objection(ObjectionStatus.PENDING, False) is ObjectionStatus.DISMISSED
    with pytest.raises(Conflict):
        decide_objection(ObjectionStatus.DISMISSED, True)


def test_membership_status_on_a_day_comes_from_the_history() -> None:
    periods = [
        Period(MemberStatus.LISTED, date(2026, 3, 1), date(2026, 6, 1)),
        Period(MemberStatus.SUSPENDED, date(2026, 6, 1), date(2026, 7, 1)),
        Period(MemberStatus.LISTED, date(2026, 7, 1), None),
    ]
    assert status_on(periods, date(2026, 2, 28)) is None
    assert status_on(periods, date(2026, 3, 1)) is MemberStatus.LISTED
    assert status_on(periods, date(2026, 6, 1)) is MemberStatus.SUSPENDED
    assert status_on(periods, date(2030, 1, 1)) is MemberStatus.LISTED


def test_only_a_listed_member_is_suspended() -> None:
    assert should_suspend(MemberStatus.LISTED)
    assert not should_suspend(MemberStatus.SUSPENDED)
    assert not should_suspend(None)


def test_review_restores_only_suspended_and_removes_only_current_members() -> None:
    assert check_review(MemberStatus.SUSPENDED, restore=True) is MemberStatus.LISTED
    assert check_review(MemberStatus.LISTED, restore=False) is MemberStatus.REMOVED
    with pytest.raises(Conflict):
        check_review(MemberStatus.LISTED, restore=True)
    with pytest.raises(Conflict):
        check_review(MemberStatus.REMOVED, restore=False)


def test_re_review_falls_due_after_the_configured_months() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
    assert not review_due(date(2026, 1, 15), 6, date(2026, 7, 14))
    assert review_due(date(2026, 1, 15), 6, date(2026, 7, 15))
