"""HTTP request and response models; money as exact decimal yuan strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyidai_shared.money import Yuan as YuanOut
from xinyidai_shared.money import YuanIn
from xinyidai_shared.text import Identifier, Name, Text


Reason = Annotated[Text | None, Field(default=None, max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationCreate(_In):
    uscc: Identifier = Field(min_length=18, max_length=18, examples=["91211382MA0000011X"])
    name: Name = Field(min_length=1, max_length=200)
    legal_representative: Name = Field(min_length=1, max_length=200)
    industry_code: Identifier = Field(min_length=2, max_length=8, description="GB/T 4754-2017 code, e.g. C1391")
    employees: int = Field(ge=0, le=10_000_000)
    revenue: YuanIn = Field(description="operating revenue (营业收入), yuan")
    total_assets: YuanIn = Field(description="total assets (资产总额), yuan")


class StepRequest(_In):
    reason: Reason = None
    override: bool = Field(default=False, description="credit check only: approve against a failing pre-filled verdict")


class ScreenRequest(StepRequest):
    accept_flags: list[Annotated[Identifier, Field(max_length=40)]] = Field(
        default=[], max_length=10,
        description="flags the department accepts, e.g. DIVISION_OUTSIDE_CITY for an enterprise that moved into the "
                    "city; every flag raised must be accepted, with the reason",
    )


class RejectRequest(_In):
    reason: Text = Field(min_length=1, max_length=2000)


class TransitionRead(BaseModel):
    step: str
    from_status: str
    to_status: str
    actor: str
    role: str
    reason: str
    at: datetime


class MaterialRead(BaseModel):
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class NoticeRead(BaseModel):
    starts_on: date
    ends_on: date
    working_days: int


class CreditVerdictRead(BaseModel):
    grade: str | None
    has_report: bool
    active_dishonesty_records: list[str]
    passed: bool
    reason_codes: list[str]


class CommitmentLetterRead(BaseModel):
    """A credit commitment letter (信用承诺书, Plan 4.4.2); ``missing`` when credit-data announced none."""

    status: Literal["valid", "void", "missing"]
    letter_id: str | None = None
    published_on: date | None = None
    document_sha256: str | None = None
    voided_on: date | None = None
    void_reason_code: str | None = Field(
        default=None, description="LEGAL_REPRESENTATIVE_CHANGED, NAME_CHANGED, REPLACED or WITHDRAWN"
    )


class ApplicationRead(BaseModel):
    id: str
    uscc: str
    name: str
    legal_representative: str
    industry_code: str
    sme_industry: str
    sme_size: str
    employees: int
    revenue: YuanOut
    total_assets: YuanOut
    status: str
    flags: list[str]
    accepted_flags: list[str]
    submitted_by: str
    applicant_kind: str = Field(description="public (identity not proven), enterprise (its own credential) or department")
    created_at: datetime
    updated_at: datetime
    missing_materials: list[str]
    materials: list[MaterialRead]
    notice: NoticeRead | None
    recommended_on: date | None
    credit_override: bool
    credit_verdict: CreditVerdictRead
    commitment_letter: CommitmentLetterRead
    transitions: list[TransitionRead]


class ApplicationCreated(ApplicationRead):
    applicant_token: str | None = Field(
        default=None, description="public applicants only: send as X-Applicant-Token to upload materials; shown once"
    )


class ApplicationSummary(BaseModel):
    id: str
    uscc: str
    name: str
    status: str
    sme_size: str
    flags: list[str]
    updated_at: datetime


class PublicNotice(BaseModel):
    application_id: str
    uscc: str
    name: str
    legal_representative: str
    industry_code: str
    sme_size: str
    starts_on: date
    ends_on: date
    working_days: int
    objection_path: str


class ObjectionCreate(_In):
    text: Text = Field(min_length=1, max_length=2000)
    contact: Name | None = Field(default=None, max_length=200)


class ObjectionReceipt(BaseModel):
    id: str
    application_id: str
    status: str
    received_at: datetime


class ObjectionRead(ObjectionReceipt):
    text: str
    contact: str | None
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None


class ObjectionDecision(_In):
    uphold: bool
    reason: Reason = None


class PeriodRead(BaseModel):
    """One period of membership as the public sees it: a stable reason code, never the officers' free
    text (which can name a credit grade that only officers and authorised banks may see)."""

    status: str
    from_on: date
    to_on: date | None
    reason_code: str


class MemberRead(BaseModel):
    uscc: str
    name: str
    status: str
    industry_code: str
    sme_size: str
    listed_on: date
    last_reviewed_on: date
    application_id: str
    commitment_letter: CommitmentLetterRead = Field(description="the letter that counts now (the newest)")
    flags: list[str] = Field(description="for officers, e.g. COMMITMENT_LETTER_VOID (the member stays listed)")


class MemberDetail(MemberRead):
    history: list[PeriodRead]
    commitment_letters: list[CommitmentLetterRead] = Field(description="every letter announced, newest first")


class ListedOn(BaseModel):
    uscc: str
    on: date
    status: str | None
    listed: bool


class ReviewRead(BaseModel):
    id: str
    uscc: str
    trigger: str
    detail: str
    opened_on: date
    status: str
    decision: str | None
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None


class ReviewDecision(_In):
    decision: Literal["keep", "remove"]
    reason: Text = Field(min_length=1, max_length=2000)
    override: bool = False


class OverrideWrite(_In):
    working: bool
    note: Text = Field(default="", max_length=200)


class OverrideRead(BaseModel):
    day: date
    working: bool
    note: str
    set_by: str
    set_at: datetime


class SweepResult(BaseModel):
    opened: int


class PushRead(BaseModel):
    push_id: str
    uscc: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
