"""Webhook rules: which addresses may receive messages, the retry schedule, and money in message bodies."""

from datetime import UTC, datetime, timedelta

import pytest
from xinyidai_shared.errors import Invalid

from claims.domain.bank_messages import as_yuan, derived_id, message_type
from claims.domain.webhooks import RetryPolicy, address_refusal, check_event_types, parse_target, refuse_addresses


@pytest.mark.parametrize("address, refusal", [
    ("93.184.216.34", None), ("2606:2800:220:1:248:1893:25c8:1946", None),
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("fd12::1", "private"),
    ("100.64.0.1", "private"), ("0.0.0.0", "private"), ("224.0.0.1", "private"), ("::ffff:10.0.0.1", "private"),
    ("169.254.10.10", "link-local"), ("fe80::1%eth0", "link-local"),
    ("169.254.169.254", "metadata"), ("100.100.100.200", "metadata"), ("fd00:ec2::254", "metadata"),
])
def test_only_public_addresses_receive_webhooks(address, refusal):
    assert address_refusal(address, allow_loopback=False) == refusal


def test_loopback_is_allowed_only_by_the_dev_setting_and_never_opens_private_ranges():
    assert address_refusal("127.0.0.1", allow_loopback=True) is None
    assert address_refusal("10.0.0.1", allow_loopback=True) == "private"
    assert parse_target("http://127.0.0.1:9000/h", allow_loopback=True).port == 9000
    with pytest.raises(Invalid) as refused:
        parse_target("http://127.0.0.1:9000/h", allow_loopback=False)
    assert refused.value.code == "WEBHOOK_URL_INSECURE"


def test_a_host_is_refused_when_any_of_its_addresses_is_forbidden_or_it_has_none():
    with pytest.raises(Invalid) as mixed:
        refuse_addresses("hooks.example", ["93.184.216.34", "10.0.0.8"], allow_loopback=False)
    assert mixed.value.code == "WEBHOOK_TARGET_FORBIDDEN" and mixed.value.extra["address_class"] == "private"
    with pytest.raises(Invalid) as none:
        refuse_addresses("nowhere.example", [], allow_loopback=False)
    assert none.value.code == "WEBHOOK_HOST_UNRESOLVED"


def test_retries_back_off_with_jitter_for_the_whole_window_and_the_last_falls_on_its_end():
    policy = RetryPolicy(base=timedelta(seconds=30), cap=timedelta(hours=1), window=timedelta(hours=24))
    first = datetime(2027, 1, 1, tzinfo=UTC)
    until = first + policy.window
    for rand in (lambda: 0.0, lambda: 1.0):
        now, failures, gaps = first, 0, []
        while (following := policy.next_attempt(failures + 1, now, until, rand)) is not None:
            gaps.append(following - now)
            now, failures = following, failures + 1
        assert now == until  # tried until the end of 24 hours, then given up
        assert gaps[0] == timedelta(seconds=15 if rand() == 0 else 30)
        assert gaps[1] == 2 * gaps[0] and max(gaps) <= timedelta(hours=1)
        assert 24 <= failures <= 60


def test_money_in_message_bodies_is_exact_yuan_and_message_ids_are_stable():
    assert as_yuan({"amount_fen": 123456789, "bank_id": "b", "per_loan_cap_fen": None}) == {
        "amount": "1234567.89", "bank_id": "b", "per_loan_cap": None}
    assert derived_id("e1", "bank-a") == derived_id("e1", "bank-a") != derived_id("e1", "bank-b")
    assert message_type("EnterpriseDelisted", {"suspended": True}) == "borrower.suspended"
    assert message_type("EnterpriseDelisted", {"suspended": False}) == "borrower.delisted"
    assert message_type("LoanRegistered", {}) is None
    with pytest.raises(Invalid):
        check_event_types(["claim.state_changed", "claim.approved"])
