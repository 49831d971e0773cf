"""Accounts, transfers, the FIFO queue and the verify invariants, all without I/O."""

from datetime import UTC, datetime, timedelta

import pytest
from xinyidai_shared.errors import Invalid

from fund_ledger.domain.accounts import (
    CAPITAL_INITIAL,
    CASH,
    Side,
    Transfer,
    TransferKind,
    TransferStatus,
    compensation_account,
    normal_balance,
    normal_side,
    reversal_of,
)
from fund_ledger.domain.queue import Waiting, payable_now
from fund_ledger.domain.verify import StoredAccount, StoredBank, StoredCompensation, StoredDue, check_all

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def deposit(tid, amount, minute=0):
    at = T0 + timedelta(minutes=minute)
    return Transfer(tid, TransferKind.INITIAL_CAPITAL, CASH, CAPITAL_INITIAL, amount, created_at=at, posted_at=at)


def pay(tid, amount, minute=0, bank="b1"):
    at = T0 + timedelta(minutes=minute)
    return Transfer(tid, TransferKind.COMPENSATION, compensation_account(bank), CASH, amount, created_at=at, posted_at=at, bank_id=bank)


def test_assets_and_expenses_are_debit_normal_capital_and_income_credit_normal():
    assert normal_side(CASH) is Side.DEBIT
    assert normal_side("due:contribution:b1") is Side.DEBIT
    assert normal_side(compensation_account("b1")) is Side.DEBIT
    assert normal_side(CAPITAL_INITIAL) is Side.CREDIT
    assert normal_balance(CAPITAL_INITIAL, 0, 500) == 500


def test_account_outside_the_chart_is_refused():
    with pytest.raises(Invalid):
        normal_side("liability:whatever")


@pytest.mark.parametrize("amount", [0, -1, True])
def test_transfer_amount_must_be_positive_integer_fen(amount):
    with pytest.raises(Invalid):
        deposit("t", amount)


def test_transfer_between_one_account_and_itself_is_refused():
    with pytest.raises(Invalid):
        Transfer("t", TransferKind.INITIAL_CAPITAL, CASH, CASH, 1, created_at=T0, posted_at=T0)


def test_reversal_swaps_accounts_and_references_the_original():
    original = deposit("d1", 500)
    back = reversal_of(original, reversal_id="r1", at=T0)
    assert (back.debit_account, back.credit_account, back.amount_fen, back.reverses) == (CAPITAL_INITIAL, CASH, 500, "d1")
    with pytest.raises(Invalid):
        reversal_of(back, reversal_id="r2", at=T0)


def test_queue_pays_in_approval_order_and_stops_at_first_that_does_not_fit():
    waiting = [Waiting("c2", 50, T0 + timedelta(seconds=2)), Waiting("c1", 80, T0), Waiting("c3", 10, T0 + timedelta(seconds=3))]
    assert [w.claim_id for w in payable_now(100, waiting)] == ["c1"]
    assert [w.claim_id for w in payable_now(140, waiting)] == ["c1", "c2", "c3"]
    assert payable_now(79, waiting) == []


def test_verify_accepts_sound_books():
    transfers = [deposit("d1", 1000), pay("p1", 300, minute=1)]
    accounts = [StoredAccount(CASH, 1000, 300), StoredAccount(CAPITAL_INITIAL, 0, 1000), StoredAccount(compensation_account("b1"), 300, 0)]
    banks = [StoredBank("b1", cap_fen=500, committed_fen=300, paid_fen=300)]
    comps = [StoredCompensation("c1", "b1", 300, "paid", "p1")]
    assert check_all(transfers, accounts, banks, comps) == []


def test_verify_reports_negative_cash_duplicate_ids_and_broken_cap():
    transfers = [pay("p1", 300), deposit("d1", 1000, minute=1), deposit("d1", 1000, minute=2)]
    banks = [StoredBank("b1", cap_fen=200, committed_fen=300, paid_fen=300)]
    comps = [StoredCompensation("c1", "b1", 300, "paid", "p1")]
    problems = check_all(transfers, [], banks, comps)
    text = "\n".join(problems)
    assert "cash went negative after transfer p1" in text
    assert "duplicate transfer id d1" in text
    assert "above its cap" in text
    assert "has no row" in text


def test_verify_reports_stored_total_that_differs_from_journal():
    transfers = [deposit("d1", 1000)]
    accounts = [StoredAccount(CASH, 999, 0), StoredAccount(CAPITAL_INITIAL, 0, 1000)]
    assert check_all(transfers, accounts, [], []) == [
        "trial balance is off: debits 999 != credits 1000",
        "account cash stores (999, 0) but the journal sums to (1000, 0)",
    ]


def test_verify_reports_paid_compensation_without_posted_transfer():
    pending = Transfer("p1", TransferKind.COMPENSATION, compensation_account("b1"), CASH, 5, created_at=T0, status=TransferStatus.PENDING)
    comps = [StoredCompensation("c1", "b1", 5, "paid", "p1")]
    banks = [StoredBank("b1", cap_fen=None, committed_fen=5, paid_fen=5)]
    assert check_all([pending], [], banks, comps) == ["compensation c1 is paid without a posted transfer"]


def test_verify_reports_receivable_that_disagrees_with_its_dues():
    at = T0
    owed = Transfer("due-1", TransferKind.CONTRIBUTION_DUE, "due:contribution:b1", "income:contribution", 500, created_at=at, posted_at=at)
    paid = Transfer("pay-1", TransferKind.CONTRIBUTION_PAYMENT, CASH, "due:contribution:b1", 200, created_at=at, posted_at=at)
    accounts = [StoredAccount("due:contribution:b1", 500, 200), StoredAccount("income:contribution", 0, 500), StoredAccount(CASH, 200, 0)]
    sound = [StoredDue("contribution:r1", "contribution", "b1", 500, 200)]
    assert check_all([owed, paid], accounts, [], [], sound) == []
    wrong = [StoredDue("contribution:r1", "contribution", "b1", 500, 100)]
    assert check_all([owed, paid], accounts, [], [], wrong) == [
        "receivable due:contribution:b1 holds 300 but its dues leave 400 outstanding"
    ]


def test_verify_reports_stored_totals_that_do_not_balance():
    transfers = [deposit("d1", 1000)]
    accounts = [StoredAccount(CASH, 1000, 0), StoredAccount(CAPITAL_INITIAL, 0, 999)]
    problems = check_all(transfers, accounts, [], [])
    assert problems[0] == "trial balance is off: debits 1000 != credits 999"
