"""HTTP request and response models: money as exact yuan strings (``Yuan``), rates as percent strings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from xinyidai_shared.money import Yuan, YuanIn
from xinyidai_shared.text import Identifier, Name, Text

from claims.domain.classification import Category
from claims.domain.eligibility import LoanFacts, LoanType, Purpose
from claims.domain.rates import parse_rate_percent
from claims.domain.registration import Application


class _In(BaseModel):
    # No silent trimming: an identifier sent with a trailing newline is refused, not quietly changed.
    model_config = ConfigDict(extra="forbid")


class BankCreate(_In):
    bank_id: Identifier = Field(min_length=2, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Name = Field(min_length=1, max_length=200)
    admitted_on: date
    agreement_ref: Identifier = Field(min_length=1, max_length=200)
    documents: dict[Identifier, Name] = {}


class BankRead(BaseModel):
    bank_id: str
    name: str
    admitted_on: date
    agreement_ref: str
    documents: dict[str, str]
    missing_documents: list[str]
    may_claim: bool
    clawed_back_at: datetime | None
    clawback_reason: str | None


class DocumentsFile(_In):
    documents: dict[Identifier, Name] = Field(min_length=1)


class ProductCreate(_In):
    name: Name = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1, max_length=4000)
    max_amount: YuanIn
    max_term_months: int = Field(gt=0, le=36)


class ProductRead(BaseModel):
    product_id: str
    bank_id: str
    name: str
    description: str
    max_amount: Yuan
    max_term_months: int
    published_on: date


class LoanCreate(_In):
    bank_loan_no: Identifier = Field(min_length=1, max_length=100)
    uscc: Identifier = Field(min_length=18, max_length=18)
    principal: YuanIn
    annual_rate: Identifier = Field(description='percent with at most 4 decimals, e.g. "3.9" or "5.655"')
    issued_on: date
    matures_on: date
    purpose: Text = Field(min_length=1, max_length=2000)
    purpose_category: Purpose
    loan_type: LoanType
    through_platform: bool
    first_loan: bool
    product_id: Identifier | None = None

    @field_validator("annual_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate_percent(value)
        return value

    @field_validator("principal")
    @classmethod
    def _positive(cls, value: int) -> int:
        # Runs after YuanIn turned the text into fen.
        if value <= 0:
            raise ValueError("principal must be positive")
        return value

    def to_application(self) -> Application:
        """The loan as the domain reads a bank's declaration (the same for the API and a core-system file)."""
        facts = LoanFacts(
            uscc=self.uscc, rate_ppm=parse_rate_percent(self.annual_rate), issued_on=self.issued_on,
            matures_on=self.matures_on, purpose_category=self.purpose_category, loan_type=self.loan_type,
            through_platform=self.through_platform, first_loan=self.first_loan,
        )
        return Application(self.bank_loan_no, self.principal, facts, self.purpose, self.product_id)


class RuleCheckRead(BaseModel):
    rule: str
    article: str
    passed: bool
    flagged: bool
    detail: str


class AppliedRateRead(BaseModel):
    source: str
    effective_on: date
    reference_rate: str
    cap: str


class LoanStatusRead(BaseModel):
    state: str
    outstanding: Yuan
    days_past_due: int
    overdue_principal: Yuan
    category: str
    category_flagged: bool
    loss_on: date | None
    principal_at_loss: Yuan | None
    malicious_default_on: date | None
    last_status_on: date | None


class LoanRead(BaseModel):
    loan_id: str
    bank_id: str
    bank_loan_no: str
    uscc: str
    principal: Yuan
    annual_rate: str
    issued_on: date
    matures_on: date
    term_months: int
    purpose: str
    purpose_category: str
    loan_type: str
    through_platform: bool
    first_loan: bool
    product_id: str | None
    covered: bool
    eligibility: list[RuleCheckRead]
    reference_rate: AppliedRateRead
    policy_profile: str
    status: LoanStatusRead
    registered_at: datetime


class RepaymentCreate(_In):
    repayment_ref: Identifier = Field(min_length=1, max_length=100)
    amount: YuanIn
    repaid_on: date


class OverdueCreate(_In):
    days_past_due: int = Field(ge=0, le=100_000)
    overdue_principal: YuanIn
    as_of: date


class ClassificationCreate(_In):
    category: Category
    as_of: date


class SettlementCreate(_In):
    settled_on: date


class MaliciousDefaultCreate(_In):
    detail: Text = Field(min_length=1, max_length=2000)
    reported_on: date


class Material(_In):
    kind: str = Field(pattern=r"^(art11_documents|loan_proof|issuance_proof|application_form|other)$")
    ref: Name = Field(min_length=1, max_length=500)


class ClaimCreate(_In):
    loan_id: Identifier
    materials: list[Material] = Field(min_length=1)
    institution_documents: dict[Identifier, Name] = {}


class ReasonIn(_In):
    code: Identifier
    text: Text = Field(min_length=1, max_length=2000)


class ReviewDecision(_In):
    decision: Identifier
    note: Text = Field(default="", max_length=4000)
    reasons: list[ReasonIn] = []


class ExpectedRead(BaseModel):
    ratio_bp: int
    by_ratio: Yuan
    per_loan_cap: Yuan | None
    bank_cap: Yuan | None
    bank_remaining: Yuan | None
    expected: Yuan


class ReasonRead(BaseModel):
    code: str
    article: str
    text: str


class StepRead(BaseModel):
    step: str
    decision: str
    by_org: str
    by_actor: str | None = None
    at: datetime
    note: str
    reasons: list[ReasonRead]


class ClaimRead(BaseModel):
    claim_id: str
    loan_id: str
    bank_id: str
    uscc: str
    batch_id: str
    state: str
    principal_at_loss: Yuan
    policy_profile: str
    expected: ExpectedRead
    materials: list[dict[str, str]]
    submitted_at: datetime
    doubt: str
    reasons: list[ReasonRead]
    approved_at: datetime | None
    paid_amount: Yuan | None
    paid_at: datetime | None
    paid_recorded_at: datetime | None
    transfer_id: str | None
    blocked_reason: str | None
    steps: list[StepRead]
    eligibility: list[RuleCheckRead] | None = None


class NoticeStart(_In):
    starts_on: date | None = Field(default=None, description="first day of the notice (today or later); default today")


class BatchRead(BaseModel):
    batch_id: str
    state: str
    opened_at: datetime
    closed_at: datetime | None
    notice_starts_on: date | None
    notice_ends_on: date | None
    notice_working_days: int | None
    approved_claim_ids: list[str] | None = None


class ObjectionCreate(_In):
    text: Text = Field(min_length=1, max_length=4000)
    contact: Text = Field(default="", max_length=200)


class ObjectionResolution(_In):
    decision: Identifier
    note: Text = Field(min_length=1, max_length=4000)


class InterestIncomeCreate(_In):
    year: int
    interest_income: YuanIn


class ClawbackCreate(_In):
    reason: Text = Field(min_length=1, max_length=4000)


class ClawbackRejection(_In):
    reason: Text = Field(min_length=1, max_length=4000)


class ClawbackConfirmation(_In):
    pass


class ClawbackProposalRead(BaseModel):
    proposal_id: str
    bank_id: str
    reason: str
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class RecoveryCreate(_In):
    bank_ref: Identifier = Field(min_length=1, max_length=100)
    recovered: YuanIn
    costs: YuanIn
    reported_on: date
