"""Policy arithmetic: compensation caps in order, recovery shares, money-in shares (art.7, 12, 15)."""

import pytest
from xinyidai_shared.errors import Invalid

from fund_ledger.domain.policy import (
    LimitedBy,
    bank_contribution,
    blocked_reason,
    fiscal_share,
    profile_named,
    quote_compensation,
    recovery_share,
)

YUAN = 100


def test_ratio_of_principal_is_paid_when_below_both_caps():
    quote = quote_compensation(
        principal_at_loss_fen=1_000_000 * YUAN, ratio_bp=3000, per_loan_cap_fen=500_000 * YUAN, bank_cap_left_fen=2_000_000 * YUAN
    )
    assert (quote.amount_fen, quote.limited_by) == (300_000 * YUAN, LimitedBy.RATIO)


def test_per_loan_cap_binds_a_large_loan():
    quote = quote_compensation(
        principal_at_loss_fen=3_000_000 * YUAN, ratio_bp=3000, per_loan_cap_fen=500_000 * YUAN, bank_cap_left_fen=None
    )
    assert (quote.amount_fen, quote.limited_by) == (500_000 * YUAN, LimitedBy.PER_LOAN_CAP)


def test_bank_remaining_cap_binds_last():
    quote = quote_compensation(
        principal_at_loss_fen=3_000_000 * YUAN, ratio_bp=3000, per_loan_cap_fen=500_000 * YUAN, bank_cap_left_fen=123
    )
    assert (quote.amount_fen, quote.limited_by) == (123, LimitedBy.BANK_CAP)


def test_exhausted_bank_cap_quotes_zero_and_is_blocked_with_reason():
    quote = quote_compensation(principal_at_loss_fen=10_000, ratio_bp=3000, per_loan_cap_fen=None, bank_cap_left_fen=0)
    assert quote.blocked
    assert blocked_reason(quote)[0] == "BANK_CAP_EXHAUSTED"


def test_ratio_rounds_half_up_to_the_fen():
    # 30% of 0.05 yuan = 1.5 fen -> 2 fen
    assert quote_compensation(principal_at_loss_fen=5, ratio_bp=3000, per_loan_cap_fen=None, bank_cap_left_fen=None).amount_fen == 2


def test_ratio_outside_zero_to_hundred_percent_is_refused():
    with pytest.raises(Invalid):
        quote_compensation(principal_at_loss_fen=1, ratio_bp=10_001, per_loan_cap_fen=None, bank_cap_left_fen=None)


def test_recovery_share_is_net_recovery_times_paid_over_principal():
    # paid 300k of 1m principal; recovered 100k with 10k costs -> 90k × 0.3 = 27k
    share = recovery_share(
        recovered_fen=100_000 * YUAN, costs_fen=10_000 * YUAN, compensation_paid_fen=300_000 * YUAN, principal_at_loss_fen=1_000_000 * YUAN
    )
    assert share == 27_000 * YUAN


def test_recovery_costs_above_recovered_share_nothing():
    assert recovery_share(recovered_fen=100, costs_fen=200, compensation_paid_fen=50, principal_at_loss_fen=100) == 0


def test_recovery_shares_together_never_exceed_compensation_paid():
    share = recovery_share(
        recovered_fen=10_000, costs_fen=0, compensation_paid_fen=300, principal_at_loss_fen=1_000, already_shared_fen=250
    )
    assert share == 50


def test_fiscal_share_is_twenty_percent_by_default_and_thirty_under_the_plan():
    assert fiscal_share(1_000_000, profile_named("measures")) == 200_000
    assert fiscal_share(1_000_000, profile_named("plan")) == 300_000


def test_bank_contribution_is_five_percent_of_interest_income():
    assert bank_contribution(123_456, profile_named("measures")) == 6_173  # 6172.8 -> 6173


def test_unknown_profile_is_refused():
    with pytest.raises(Invalid) as err:
        profile_named("generous")
    assert err.value.code == "POLICY_PROFILE_UNKNOWN"
