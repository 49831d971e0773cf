"""The art.17 workflow: batch, preliminary review, verification, approval, notice, payment."""

from datetime import UTC, date, datetime

import pytest
from xinyidai_shared.errors import Conflict, Forbidden, Invalid

from claims.domain.claim import Batch, BatchState, Claim, ClaimState, Step, reason
from claims.domain.compensation import expected_compensation
from claims.domain.policy import MEASURES, PLAN

AT = datetime(2027, 7, 1, 3, 0, tzinfo=UTC)


def make(principal_fen=100_000_00, committed_fen=0):
    batch = Batch("B-1", AT)
    claim = Claim(
        claim_id="C-1", loan_id="L-1", bank_id="bank-a", uscc="X", batch_id="B-1",
        principal_at_loss_fen=principal_fen, policy_profile="measures",
        expected=expected_compensation(MEASURES, principal_fen, committed_fen),
        materials=(("art11_documents", "doc-1"), ("loan_proof", "doc-2")), submitted_at=AT,
    )
    return batch, claim


def step(name, decision, note="", reasons=()):
    # The leading group approves; its office does every other step (art.17.2).
    return Step(name, decision, "lg" if name == "approval" else "lg-office", AT, note, tuple(reasons))


def to_notice(batch, claim):
    batch.close(AT)
    claim.preliminary_review(batch, "pass", step("preliminary", "pass"))
    claim.approve_for_notice("approve", step("approval", "approve"), claim.expected)
    batch.start_notice(date(2027, 7, 1), date(2027, 7, 8), 5, today=date(2027, 7, 1))
    claim.put_on_notice(step("notice", "listed"))


def test_expected_compensation_applies_ratio_then_per_loan_then_bank_cap():
    assert expected_compensation(MEASURES, 100_000_00, 0).expected_fen == 30_000_00
    assert expected_compensation(MEASURES, 300_000_000, 0).expected_fen == 50_000_000  # per-loan cap
    assert expected_compensation(MEASURES, 1_000_000_00, 190_000_000).expected_fen == 10_000_000  # bank cap left
    assert expected_compensation(PLAN, 300_000_000, 10**12).expected_fen == 210_000_000  # plan: no caps


def test_claims_in_an_open_batch_cannot_be_reviewed():
    batch, claim = make()
    with pytest.raises(Conflict) as err:
        claim.preliminary_review(batch, "pass", step("preliminary", "pass"))
    assert err.value.code == "BATCH_STILL_OPEN" and claim.state is ClaimState.SUBMITTED


def test_the_organisation_that_pre_reviewed_a_claim_cannot_approve_it():
    """Art.17.2: the office's preliminary review and the leading group's approval are two organisations."""
    batch, claim = make()
    batch.close(AT)
    claim.preliminary_review(batch, "pass", Step("preliminary_review", "pass", "lg-office", AT))
    for decision in ("approve", "reject"):
        with pytest.raises(Forbidden) as err:
            claim.approve_for_notice(decision, Step("approval", decision, "lg-office", AT, "", (reason("OTHER", "no"),)),
                                     claim.expected)
        assert err.value.code == "SAME_ORG_REVIEW_AND_APPROVAL" and claim.state is ClaimState.AWAITING_APPROVAL
    claim.approve_for_notice("approve", Step("approval", "approve", "lg", AT, by_actor="lg-zhang"), claim.expected)
    assert claim.state is ClaimState.AWAITING_NOTICE and claim.steps[-1].by_actor == "lg-zhang"


def test_full_path_publishes_claim_approved_with_caps_and_approval_time():
    batch, claim = make()
    to_notice(batch, claim)
    assert not batch.notice_may_close(date(2027, 7, 8))  # the last notice day is still open to objections
    assert batch.notice_may_close(date(2027, 7, 9))
    claim.conclude_notice(step("notice", "no objection"), AT)
    event = claim.events[-1]
    assert event.type == "ClaimApproved" and event.ratio_bp == 3000
    assert (event.per_loan_cap_fen, event.bank_cap_fen) == (50_000_000, 200_000_000)
    assert claim.approved_at == AT and claim.state is ClaimState.APPROVED


def test_notice_of_zero_working_days_may_close_at_once():
    batch = Batch("B", AT, state=BatchState.CLOSED)
    batch.start_notice(date(2027, 7, 3), date(2027, 7, 3), 0, today=date(2027, 7, 3))
    assert batch.notice_may_close(date(2027, 7, 3))


def test_doubt_sends_the_claim_to_verification_which_may_reject():
    batch, claim = make()
    batch.close(AT)
    with pytest.raises(Invalid):
        claim.preliminary_review(batch, "doubt", step("preliminary", "doubt"))
    claim.preliminary_review(batch, "doubt", step("preliminary", "doubt", note="loan proof unsigned"))
    assert claim.state is ClaimState.AWAITING_VERIFICATION
    with pytest.raises(Conflict):
        claim.approve_for_notice("approve", step("approval", "approve"), claim.expected)
    claim.verify("reject", step("verification", "reject", reasons=[reason("VERIFICATION_FAILED", "no signature")]))
    assert claim.state is ClaimState.REJECTED and claim.events[-1].reason_codes == ("VERIFICATION_FAILED",)


def test_art13_exclusion_is_a_reviewer_rejection_with_its_article():
    batch, claim = make()
    batch.close(AT)
    why = reason("ART13_EXCLUSION", "loan officer broke the bank's approval rules")
    claim.preliminary_review(batch, "reject", step("preliminary", "reject", reasons=[why]))
    assert claim.reasons[0].article == "Measures art.13"
    assert "Measures art.13: loan officer" in claim.events[-1].reason


def test_rejection_without_reason_is_refused_and_changes_nothing():
    batch, claim = make()
    batch.close(AT)
    with pytest.raises(Invalid) as err:
        claim.preliminary_review(batch, "reject", step("preliminary", "reject"))
    assert err.value.code == "REASONS_REQUIRED" and claim.state is ClaimState.SUBMITTED and not claim.events


def test_unknown_reason_code_is_refused():
    with pytest.raises(Invalid):
        reason("BECAUSE", "no")


def test_approval_with_cap_used_up_rejects_with_that_reason():
    batch, claim = make()
    batch.close(AT)
    claim.preliminary_review(batch, "pass", step("preliminary", "pass"))
    claim.approve_for_notice("approve", step("approval", "approve"), expected_compensation(MEASURES, 100_000_00, 200_000_000))
    assert claim.state is ClaimState.REJECTED and claim.reasons[0].code == "CAP_EXHAUSTED"


def test_upheld_objection_rejects_a_claim_on_notice():
    batch, claim = make()
    to_notice(batch, claim)
    claim.uphold_objection(step("objection", "upheld", reasons=[reason("OBJECTION_UPHELD", "loan was secured")]))
    assert claim.state is ClaimState.REJECTED


def test_blocked_claim_is_paid_later_and_keeps_both_timestamps():
    batch, claim = make()
    to_notice(batch, claim)
    claim.conclude_notice(step("notice", "no objection"), AT)
    claim.mark_blocked("FUND_INSUFFICIENT", "waiting for a deposit")
    assert claim.state is ClaimState.BLOCKED
    paid_at = datetime(2027, 7, 10, tzinfo=UTC)
    claim.mark_paid(30_000_00, "T-1", paid_at, datetime(2027, 7, 10, 0, 0, 1, tzinfo=UTC))
    assert (claim.state, claim.paid_at, claim.blocked_reason) == (ClaimState.PAID, paid_at, None)


def test_paid_claim_cannot_be_paid_again():
    batch, claim = make()
    to_notice(batch, claim)
    claim.conclude_notice(step("notice", "no objection"), AT)
    claim.mark_paid(1, "T-1", AT, AT)
    with pytest.raises(Conflict):
        claim.mark_paid(1, "T-1", AT, AT)
