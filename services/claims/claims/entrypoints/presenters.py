"""Domain objects to response schemas (the only place that knows both)."""

from __future__ import annotations

from claims.domain.bank import Bank, Product
from claims.domain.claim import Batch, Claim
from claims.domain.dates import term_months
from claims.domain.eligibility import RuleCheck
from claims.domain.loan import Loan
from claims.domain.rates import format_rate_percent
from claims.schemas import (
    AppliedRateRead, BankRead, BatchRead, ClaimRead, ExpectedRead, LoanRead, LoanStatusRead, ProductRead,
    ReasonRead, RuleCheckRead, StepRead,
)


def checks(items: tuple[RuleCheck, ...]) -> list[RuleCheckRead]:
    return [RuleCheckRead(**c.__dict__) for c in items]


def loan(ln: Loan) -> dict:
    a, f = ln.applied_rate, ln.facts
    status = LoanStatusRead(
        state=ln.state.value, outstanding=ln.outstanding_fen, days_past_due=ln.days_past_due,
        overdue_principal=ln.overdue_principal_fen, category=ln.category.value, category_flagged=ln.category_flagged,
        loss_on=ln.loss_on, principal_at_loss=ln.principal_at_loss_fen, malicious_default_on=ln.malicious_default_on,
        last_status_on=ln.last_status_on,
    )
    return LoanRead(
        loan_id=ln.loan_id, bank_id=ln.bank_id, bank_loan_no=ln.bank_loan_no, uscc=f.uscc, principal=ln.principal_fen,
        annual_rate=format_rate_percent(f.rate_ppm), issued_on=f.issued_on, matures_on=f.matures_on,
        term_months=term_months(f.issued_on, f.matures_on), purpose=ln.purpose,
        purpose_category=f.purpose_category.value, loan_type=f.loan_type.value, through_platform=f.through_platform,
        first_loan=f.first_loan, product_id=ln.product_id, covered=ln.covered, eligibility=checks(ln.checks),
        reference_rate=AppliedRateRead(source=a.source, effective_on=a.effective_on,
                                       reference_rate=format_rate_percent(a.reference_rate_ppm),
                                       cap=format_rate_percent(a.cap_ppm)),
        policy_profile=ln.policy_profile, status=status, registered_at=ln.registered_at,
    ).model_dump(mode="json")


def claim(c: Claim, eligibility: tuple[RuleCheck, ...] | None = None) -> dict:
    e = c.expected
    return ClaimRead(
        claim_id=c.claim_id, loan_id=c.loan_id, bank_id=c.bank_id, uscc=c.uscc, batch_id=c.batch_id,
        state=c.state.value, principal_at_loss=c.principal_at_loss_fen, policy_profile=c.policy_profile,
        expected=ExpectedRead(ratio_bp=e.ratio_bp, by_ratio=e.by_ratio_fen, per_loan_cap=e.per_loan_cap_fen,
                              bank_cap=e.bank_cap_fen, bank_remaining=e.bank_remaining_fen, expected=e.expected_fen),
        materials=[{"kind": k, "ref": r} for k, r in c.materials], submitted_at=c.submitted_at, doubt=c.doubt,
        reasons=[ReasonRead(**r.__dict__) for r in c.reasons], approved_at=c.approved_at, paid_amount=c.paid_fen,
        paid_at=c.paid_at, paid_recorded_at=c.paid_recorded_at, transfer_id=c.transfer_id,
        blocked_reason=c.blocked_reason,
        steps=[StepRead(step=s.step, decision=s.decision, by_org=s.by_org, by_actor=s.by_actor or None, at=s.at, note=s.note,
                        reasons=[ReasonRead(**r.__dict__) for r in s.reasons]) for s in c.steps],
        eligibility=checks(eligibility) if eligibility is not None else None,
    ).model_dump(mode="json")


def bank(b: Bank) -> dict:
    return BankRead(
        bank_id=b.bank_id, name=b.name, admitted_on=b.admitted_on, agreement_ref=b.agreement_ref,
        documents=dict(sorted(b.documents.items())), missing_documents=b.missing_documents(),
        may_claim=b.clawed_back_at is None, clawed_back_at=b.clawed_back_at, clawback_reason=b.clawback_reason,
    ).model_dump(mode="json")


def product(p: Product) -> dict:
    return ProductRead(product_id=p.product_id, bank_id=p.bank_id, name=p.name, description=p.description,
                       max_amount=p.max_amount_fen, max_term_months=p.max_term_months,
                       published_on=p.published_on).model_dump(mode="json")


def batch(b: Batch, approved: list[str] | None = None) -> dict:
    return BatchRead(batch_id=b.batch_id, state=b.state.value, opened_at=b.opened_at, closed_at=b.closed_at,
                     notice_starts_on=b.notice_starts_on, notice_ends_on=b.notice_ends_on,
                     notice_working_days=b.notice_working_days, approved_claim_ids=approved).model_dump(mode="json")
