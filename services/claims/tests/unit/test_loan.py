from dataclasses import replace
from datetime import date

import pytest
from xinyidai_shared.errors import Conflict, DomainError, Invalid
from xinyidai_shared.events import LoanClassifiedAsLoss, LoanCured, LoanOverdue, LoanRepaid

from claims.domain.classification import Category, better_than_floor, floor_for
from claims.domain.eligibility import evaluate
from claims.domain.loan import Loan, LoanState

from .factories import AT, context, facts


def make_loan(**changes) -> Loan:
    loan_facts = facts()
    ctx = context(loan_facts)
    loan = Loan(
        loan_id="L-1", bank_id="bank-a", bank_loan_no="NO-1", principal_fen=100_000_00, facts=loan_facts,
        purpose="buy materials", product_id=None, applied_rate=ctx.applied_rate, policy_profile="measures",
        checks=evaluate(loan_facts, ctx).checks, registered_at=AT, outstanding_fen=100_000_00,
    )
    return replace(loan, **changes)


@pytest.mark.parametrize(
    ("days", "floor"),
    [(0, "normal"), (1, "special_mention"), (90, "special_mention"), (91, "substandard"), (270, "substandard"),
     (271, "doubtful"), (360, "doubtful"), (361, "loss")],
)
def test_classification_floor_follows_days_past_due(days, floor):
    assert floor_for(days).value == floor


def test_only_a_category_less_severe_than_the_floor_is_flagged():
    assert better_than_floor(Category.NORMAL, 1)
    assert not better_than_floor(Category.SPECIAL_MENTION, 1)
    assert not better_than_floor(Category.LOSS, 1)  # worse than the floor is the bank's prudence


def test_overdue_report_publishes_loan_overdue_and_a_cure_publishes_loan_cured_once():
    loan = make_loan()
    loan.report_overdue(0, 0, date(2026, 4, 1))  # current all along: nothing to tell
    loan.report_overdue(31, 5_000_00, date(2026, 5, 1))
    loan.report_overdue(0, 0, date(2026, 5, 15))
    loan.report_overdue(0, 0, date(2026, 6, 1))  # still current: the cure was told already
    assert [type(e) for e in loan.events] == [LoanOverdue, LoanCured]
    assert (loan.events[1].previous_days_past_due, loan.events[1].cured_on) == (31, date(2026, 5, 15))
    assert loan.days_past_due == 0 and len(loan.new_records) == 4


def test_loss_classification_publishes_once_with_principal_outstanding_at_loss():
    loan = make_loan()
    loan.repay(20_000_00, date(2026, 4, 1))
    loan.report_overdue(400, 80_000_00, date(2027, 6, 1))
    assert loan.classify(Category.LOSS, date(2027, 6, 1)) is False
    loan.classify(Category.LOSS, date(2027, 7, 1))
    losses = [e for e in loan.events if isinstance(e, LoanClassifiedAsLoss)]
    assert len(losses) == 1 and losses[0].principal_at_loss_fen == 80_000_00
    assert loan.loss_on == date(2027, 6, 1)


def test_classification_better_than_floor_is_kept_but_flagged():
    loan = make_loan()
    loan.report_overdue(120, 10_000_00, date(2026, 8, 1))
    assert loan.classify(Category.SPECIAL_MENTION, date(2026, 8, 1)) is True
    assert loan.category is Category.SPECIAL_MENTION and loan.category_flagged
    assert loan.new_records[-1].detail == "floor substandard"


def test_loss_is_final():
    loan = make_loan()
    loan.classify(Category.LOSS, date(2026, 9, 1))
    with pytest.raises(Conflict) as err:
        loan.classify(Category.DOUBTFUL, date(2026, 10, 1))
    assert err.value.code == "LOSS_IS_FINAL"


def test_repaying_everything_settles_and_later_reports_are_refused():
    loan = make_loan()
    loan.repay(100_000_00, date(2026, 6, 1))
    assert loan.state is LoanState.SETTLED
    assert isinstance(loan.events[-1], LoanRepaid) and loan.events[-1].settled
    with pytest.raises(Conflict):
        loan.report_overdue(1, 0, date(2026, 7, 1))


def test_settle_report_repays_what_is_outstanding():
    loan = make_loan()
    loan.settle(date(2026, 6, 1))
    assert loan.outstanding_fen == 0 and loan.events[-1].amount_fen == 100_000_00


def test_repayment_larger_than_outstanding_is_refused_without_change():
    loan = make_loan()
    with pytest.raises(Invalid) as err:
        loan.repay(100_000_01, date(2026, 6, 1))
    assert err.value.code == "REPAYMENT_EXCEEDS_OUTSTANDING"
    assert loan.outstanding_fen == 100_000_00 and not loan.events


def test_older_snapshot_cannot_overwrite_a_newer_one_but_a_late_repayment_can_arrive():
    loan = make_loan()
    loan.report_overdue(40, 1_000_00, date(2026, 6, 30))
    with pytest.raises(Conflict) as err:
        loan.report_overdue(10, 1_000_00, date(2026, 6, 1))
    assert err.value.code == "STATUS_OUT_OF_ORDER"
    loan.repay(1_000_00, date(2026, 6, 15))
    assert loan.outstanding_fen == 99_000_00


def test_status_dated_before_issue_is_refused():
    with pytest.raises(Invalid) as err:
        make_loan().report_overdue(1, 0, date(2026, 3, 1))
    assert err.value.code == "STATUS_BEFORE_ISSUE"


def test_malicious_default_is_reported_only_on_a_loan_past_due_or_lost_once_with_its_state():
    loan = make_loan()
    with pytest.raises(Invalid):
        loan.report_malicious_default("  ", date(2026, 6, 1))
    with pytest.raises(DomainError) as current:
        loan.report_malicious_default("assets moved to a relative", date(2026, 6, 1))
    assert current.value.code == "MALICIOUS_DEFAULT_NOT_OVERDUE" and loan.events == []
    loan.report_overdue(95, 40_000_00, date(2026, 6, 1))
    loan.report_malicious_default("assets moved to a relative", date(2026, 6, 2))
    report = loan.events[-1]
    assert (report.type, report.version, report.days_past_due, report.category, report.outstanding_fen) == (
        "LoanDefaultedMaliciously", 2, 95, "normal", 100_000_00)
    with pytest.raises(Conflict) as again:
        loan.report_malicious_default("another story", date(2026, 6, 3))
    assert again.value.code == "MALICIOUS_DEFAULT_ALREADY_REPORTED"


def test_a_lost_loan_may_be_reported_as_a_malicious_default_even_once_its_arrears_are_cleared():
    loan = make_loan()
    loan.report_overdue(400, 100_000_00, date(2027, 6, 1))
    loan.classify(Category.LOSS, date(2027, 6, 1))
    loan.report_overdue(0, 0, date(2027, 6, 20))  # loss is final; a cure of the arrears does not undo it
    loan.report_malicious_default("fled with the stock", date(2027, 6, 21))
    assert loan.malicious_default_on == date(2027, 6, 21)
