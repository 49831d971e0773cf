from datetime import date

import pytest
from xinyidai_shared.errors import Invalid

from claims.domain.stats import LoanHistory, parse_period, per_bank_and_city, ranking, ratio_bp


@pytest.mark.parametrize(
    ("text", "start", "end", "prev"),
    [("2026", date(2026, 1, 1), date(2026, 12, 31), "2025"),
     ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4"),
     ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "2026-02")],
)
def test_periods_parse_and_know_their_predecessor(text, start, end, prev):
    period = parse_period(text)
    assert (period.starts_on, period.ends_on, period.previous().label) == (start, end, prev)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "2026/01"])
def test_bad_period_is_refused(text):
    with pytest.raises(Invalid):
        parse_period(text)


def test_ratio_is_half_up_basis_points_and_none_without_denominator():
    assert ratio_bp(1, 3) == 3333 and ratio_bp(2, 3) == 6667 and ratio_bp(5, 0) is None


def test_figures_are_what_was_true_at_period_end():
    a1 = LoanHistory("bank-a", 100_00, date(2026, 2, 10), repayments=[(date(2026, 3, 5), 40_00)],
                     overdue=[(date(2026, 3, 20), 10_00), (date(2026, 4, 20), 60_00)],
                     compensation=[(date(2026, 3, 25), 5_00)])
    a0 = LoanHistory("bank-a", 50_00, date(2026, 1, 5), loss=(date(2026, 3, 1), 50_00))
    b1 = LoanHistory("bank-b", 300_00, date(2026, 3, 15))
    rows = per_bank_and_city([a1, a0, b1], parse_period("2026-03"), ["bank-a", "bank-b", "bank-c"])
    by = {r.scope: r for r in rows}
    assert by["bank-a"].loans_issued == 0 and by["bank-a"].outstanding_fen == 60_00 + 50_00
    assert by["bank-a"].overdue_fen == 10_00 and by["bank-a"].compensation_fen == 5_00
    assert by["bank-a"].loss_ratio_bp == ratio_bp(50_00, 150_00)
    assert by["bank-b"].principal_issued_fen == 300_00 and by["bank-b"].growth_bp is None
    assert by["bank-c"].loans_issued == 0 and by["bank-c"].overdue_ratio_bp is None
    assert by["city"].principal_issued_fen == 300_00 and rows[-1].scope == "city"


def test_growth_compares_with_the_previous_period():
    loans = [LoanHistory("bank-a", 100_00, date(2026, 1, 5)), LoanHistory("bank-a", 150_00, date(2026, 2, 5))]
    row = per_bank_and_city(loans, parse_period("2026-02"), ["bank-a"])[0]
    assert row.growth_bp == 5000


def test_ranking_orders_banks_by_principal_then_growth_and_leaves_out_the_city():
    loans = [LoanHistory("bank-a", 100_00, date(2026, 2, 5)), LoanHistory("bank-b", 200_00, date(2026, 2, 5)),
             LoanHistory("bank-c", 100_00, date(2026, 2, 5)), LoanHistory("bank-c", 10_00, date(2026, 1, 5))]
    ranked = ranking(per_bank_and_city(loans, parse_period("2026-02"), ["bank-a", "bank-b", "bank-c"]))
    assert [(rank, r.scope) for rank, r in ranked] == [(1, "bank-b"), (2, "bank-c"), (3, "bank-a")]
