"""Eligibility at issuance: every rule at its boundary, each verdict with its article."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from claims.domain.eligibility import LoanType, Purpose, evaluate
from claims.domain.policy import PLAN
from claims.domain.standing import DishonestyEntry, EnterpriseHistory, ListingEntry, RatingEntry

from .factories import ISSUED, USCC, context, facts, standing


def verdict(loan, **ctx_changes):
    result = evaluate(loan, context(loan, **ctx_changes))
    return {check.rule: check for check in result.checks}, result


def test_a_loan_meeting_every_rule_is_covered_with_every_article_named():
    checks, result = verdict(facts())
    assert result.covered
    assert checks["RATE_CAP"].article == "Measures art.11.2"
    assert checks["CREDIT_RATING"].article == "Plan 4.2.5"
    assert checks["FIRST_LOAN"].article == "Measures art.12"
    assert len(checks) == 12


def test_rate_exactly_at_cap_passes_and_one_basis_point_over_fails():
    # 2026-03-02: 1-year LPR 3.00%, cap 3.90% = 39_000 ppm
    at_cap, _ = verdict(facts(rate_ppm=39_000))
    over, result = verdict(facts(rate_ppm=39_100))
    assert at_cap["RATE_CAP"].passed
    assert not over["RATE_CAP"].passed and not result.covered
    assert "3.9000%" in over["RATE_CAP"].detail


def test_rate_cap_on_the_pboc_benchmark_allows_the_fractional_5_655_percent():
    loan = facts(issued_on=date(2019, 5, 6), matures_on=date(2020, 5, 6))
    assert verdict(replace(loan, rate_ppm=56_550))[0]["RATE_CAP"].passed
    assert not verdict(replace(loan, rate_ppm=56_650))[0]["RATE_CAP"].passed


def test_term_of_exactly_two_years_passes_unflagged():
    checks, _ = verdict(facts(matures_on=date(2028, 3, 2)))
    assert checks["TERM"].passed and not checks["TERM"].flagged


def test_term_one_day_over_two_years_passes_flagged():
    checks, _ = verdict(facts(matures_on=date(2028, 3, 3)))
    assert checks["TERM"].passed and checks["TERM"].flagged


def test_term_of_exactly_three_years_passes_flagged_and_one_day_more_fails():
    at_three, _ = verdict(facts(matures_on=date(2029, 3, 2)))
    over, result = verdict(facts(matures_on=date(2029, 3, 3)))
    assert at_three["TERM"].passed and at_three["TERM"].flagged
    assert not over["TERM"].passed and not result.covered


def test_enterprise_listed_the_day_after_issue_is_not_covered():
    history = EnterpriseHistory(USCC, listings=[ListingEntry(date(2026, 3, 3), 1, True, "small")],
                                ratings=[RatingEntry(date(2026, 1, 1), 1, "A", True)])
    checks, result = verdict(facts(), standing=history.standing_on(ISSUED))
    assert not checks["LISTED"].passed and not result.covered
    on_day = EnterpriseHistory(USCC, listings=[ListingEntry(ISSUED, 1, True, "small")],
                               ratings=[RatingEntry(date(2026, 1, 1), 1, "A", True)])
    assert verdict(facts(), standing=on_day.standing_on(ISSUED))[1].covered


def test_enterprise_delisted_on_issue_day_is_not_listed_that_day():
    history = EnterpriseHistory(USCC, listings=[ListingEntry(date(2026, 1, 5), 1, True, "small"),
                                                ListingEntry(ISSUED, 2, False)])
    assert not history.standing_on(ISSUED).listed
    assert history.standing_on(date(2026, 3, 1)).listed
    assert history.standing_on(ISSUED).sme_size == "small"


@pytest.mark.parametrize(("grade", "passes"), [("AAA", True), ("A", True), ("B", False), ("UNRATED", False), (None, False)])
def test_rating_must_be_a_or_better_on_issue_day(grade, passes):
    checks, _ = verdict(facts(), standing=standing(grade=grade))
    assert checks["CREDIT_RATING"].passed is passes


def test_rating_change_after_issue_does_not_change_the_verdict():
    history = EnterpriseHistory(USCC, ratings=[RatingEntry(date(2026, 1, 1), 1, "A", True),
                                               RatingEntry(date(2026, 3, 3), 2, "C", True)])
    assert history.standing_on(ISSUED).grade == "A"
    assert history.standing_on(date(2026, 3, 3)).grade == "C"


def test_no_credit_report_fails_its_rule():
    checks, result = verdict(facts(), standing=standing(has_report=False))
    assert not checks["CREDIT_REPORT"].passed and not result.covered


def test_dishonesty_in_effect_on_issue_day_fails_and_names_the_record():
    checks, _ = verdict(facts(), standing=standing(dishonesty_ids=("D-1",)))
    assert not checks["NO_DISHONESTY"].passed and "D-1" in checks["NO_DISHONESTY"].detail


@pytest.mark.parametrize(
    ("entry", "in_effect"),
    [
        (DishonestyEntry("D", date(2026, 3, 2)), True),
        (DishonestyEntry("D", date(2026, 3, 3)), False),
        (DishonestyEntry("D", date(2025, 1, 1), expires_on=date(2026, 3, 2)), True),
        (DishonestyEntry("D", date(2025, 1, 1), expires_on=date(2026, 3, 1)), False),
        (DishonestyEntry("D", date(2025, 1, 1), removed_on=date(2026, 3, 2)), False),
        (DishonestyEntry("D", date(2025, 1, 1), removed_on=date(2026, 3, 3)), True),
    ],
)
def test_dishonesty_record_boundaries(entry, in_effect):
    assert entry.in_effect_on(ISSUED) is in_effect


def test_a_dishonesty_record_dated_the_issue_day_but_learned_after_registration_does_not_rewrite_the_verdict():
    registered = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    later = registered + timedelta(hours=5)  # e.g. the confirmed malicious-default report on this very loan
    history = EnterpriseHistory(USCC, dishonesty=[DishonestyEntry("same-day", ISSUED, known_at=later),
                                                  DishonestyEntry("backdated", date(2026, 3, 1), known_at=later)])
    assert history.standing_on(ISSUED, known_by=registered).dishonesty_ids == ("backdated",)
    assert history.standing_on(ISSUED).dishonesty_ids == ("backdated", "same-day")


@pytest.mark.parametrize(("size", "passes"), [("micro", True), ("medium", True), ("large", False), (None, False)])
def test_sme_size_comes_from_the_recommended_list(size, passes):
    assert verdict(facts(), standing=standing(sme_size=size))[0]["SME"].passed is passes


def test_enterprise_registered_outside_the_city_fails_art9():
    from xinyidai_shared.uscc import make_uscc

    checks, _ = verdict(facts(uscc=make_uscc("MA0000001", division="110105")))
    assert not checks["REGISTERED_IN_CITY"].passed


def test_an_officers_accepted_outside_city_exception_on_the_recommendation_passes_art9_flagged():
    from xinyidai_shared.uscc import make_uscc

    moved_in = facts(uscc=make_uscc("MA0000001", division="211302"))
    history = EnterpriseHistory(USCC, listings=[
        ListingEntry(date(2026, 1, 5), 1, True, "small", accepted_exceptions=("DIVISION_OUTSIDE_CITY",)),
        ListingEntry(date(2026, 2, 1), 2, False), ListingEntry(date(2026, 2, 20), 3, True, "small"),
    ], ratings=[RatingEntry(date(2026, 1, 1), 1, "A", True)])
    accepted, result = verdict(moved_in, standing=history.standing_on(date(2026, 1, 31)))
    assert accepted["REGISTERED_IN_CITY"].passed and accepted["REGISTERED_IN_CITY"].flagged and result.covered
    assert "moved in" in accepted["REGISTERED_IN_CITY"].detail
    # A later recommendation without the exception is what holds from its day on.
    assert not verdict(moved_in, standing=history.standing_on(ISSUED))[0]["REGISTERED_IN_CITY"].passed


def test_real_estate_development_is_excluded():
    checks, result = verdict(facts(purpose_category=Purpose.REAL_ESTATE_DEVELOPMENT))
    assert not checks["PURPOSE"].passed and not result.covered


def test_only_pure_credit_through_the_platform_passes_art11_5():
    assert not verdict(facts(loan_type=LoanType.GUARANTEED))[0]["PURE_CREDIT"].passed
    assert not verdict(facts(through_platform=False))[0]["THROUGH_PLATFORM"].passed


def test_second_loan_declared_first_fails_first_loan_rule():
    checks, result = verdict(facts(), earlier_loans_of_enterprise=1)
    assert not checks["FIRST_LOAN"].passed and not result.covered


def test_loan_not_declared_first_is_not_covered_under_either_profile():
    assert not verdict(facts(first_loan=False))[0]["FIRST_LOAN"].passed
    assert not verdict(facts(first_loan=False), profile=PLAN)[0]["FIRST_LOAN"].passed


def test_every_failing_rule_is_reported_not_only_the_first():
    _, result = verdict(facts(rate_ppm=99_000, loan_type=LoanType.PLEDGED), standing=standing(listed=False))
    assert [c.rule for c in result.failures()] == ["LISTED", "RATE_CAP", "PURE_CREDIT"]


def test_a_downgrade_dated_the_issue_day_but_learned_after_registration_does_not_rewrite_issuance():
    registered = datetime(2026, 3, 2, 2, tzinfo=UTC)
    history = EnterpriseHistory(
        USCC,
        listings=[ListingEntry(date(2026, 1, 5), 1, True, "small", known_at=registered - timedelta(days=50)),
                  ListingEntry(ISSUED, 2, False, known_at=registered + timedelta(hours=1))],
        ratings=[RatingEntry(date(2026, 1, 1), 1, "A", True, known_at=registered - timedelta(days=60)),
                 RatingEntry(ISSUED, 2, "B", True, known_at=registered + timedelta(hours=1))],
    )
    at_registration = history.standing_on(ISSUED, known_by=registered)
    assert (at_registration.listed, at_registration.grade) == (True, "A")
    assert verdict(facts(), standing=at_registration)[1].covered
    # Without the registration instant (e.g. an officer's "what do we know of that day now"), it counts.
    assert (history.standing_on(ISSUED).listed, history.standing_on(ISSUED).grade) == (False, "B")


def test_a_change_dated_before_the_issue_day_counts_however_late_it_arrived():
    registered = datetime(2026, 3, 2, 2, tzinfo=UTC)
    history = EnterpriseHistory(
        USCC,
        listings=[ListingEntry(date(2026, 1, 5), 1, True, "small", known_at=registered - timedelta(days=50))],
        ratings=[RatingEntry(date(2026, 1, 1), 1, "A", True, known_at=registered - timedelta(days=60)),
                 RatingEntry(date(2026, 2, 1), 2, "C", True, known_at=registered + timedelta(days=30))],
    )
    assert history.standing_on(ISSUED, known_by=registered).grade == "C"
