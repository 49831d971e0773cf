"""HTTP request and response models of credit-data (money as exact yuan strings, never floats)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xinyidai_shared.money import Yuan
from xinyidai_shared.text import Identifier, Name, Text

RECORD_EXAMPLE = {
    "source_record_id": "WB-2026-10-0001",
    "uscc": "91211382MA0XYD0011",
    "source": "water",
    "period": "2026-10",
    "account_no": "LY-W-000123",
    "consumption": "120.5",
    "unit": "m3",
    "amount_due": "361.50",
    "amount_paid": "361.50",
    "due_on": "2026-10-25",
    "paid_on": "2026-10-20",
}


class BatchIn(BaseModel):
    """A small batch of records; each is checked on its own, so good ones are kept when others are bad."""

    records: list[dict[Identifier, Any]] = Field(min_length=1, json_schema_extra={"examples": [[RECORD_EXAMPLE]]})


class ItemResultRead(BaseModel):
    index: int
    source_record_id: str | None
    outcome: str
    field: str | None = None
    code: str | None = None
    reason: str | None = None


class BatchResultRead(BaseModel):
    accepted: int
    unchanged: int
    superseded: int
    rejected: int
    results: list[ItemResultRead]


class JobRead(BaseModel):
    id: str
    kind: str
    status: str
    format: str | None
    encoding: str | None
    size_bytes: int
    lines_done: int
    accepted: int
    unchanged: int
    superseded: int
    rejected: int
    rated: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RejectionRead(BaseModel):
    line: int
    source_record_id: str | None
    field: str
    code: str
    reason: str


class FactorRead(BaseModel):
    code: str
    points: int
    detail: str


class RatingRead(BaseModel):
    uscc: str
    grade: str
    score: int | None
    lends: bool = Field(description="A or better: what lending under the scheme needs")
    has_report: bool
    model_version: str
    reason_codes: list[str]
    factors: list[FactorRead]
    valid_from: datetime
    valid_to: datetime | None


class DishonestyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uscc: Identifier
    reference: Identifier = Field(min_length=1, max_length=100, description="the department's own id for the record")
    reason: Text = Field(min_length=1, max_length=500)
    started_on: date
    expires_on: date | None = None


class RepairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repaired_on: date
    reason: Text = Field(min_length=1, max_length=500)


class DishonestyRead(BaseModel):
    record_id: str
    uscc: str
    recorded_by: str
    kind: str
    reason: str
    started_on: date
    expires_on: date | None
    ended_on: date | None
    end_reason: str | None


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name = Field(min_length=1, max_length=200)
    legal_representative: Name = Field(min_length=1, max_length=100)


class AuthorisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bank_id: Identifier = Field(min_length=1, max_length=100)
    purpose: Text = Field(min_length=1, max_length=200)
    valid_until: date


class AuthorisationRead(BaseModel):
    ref: str
    uscc: str
    bank_id: str
    purpose: str
    valid_until: date


class QueryRead(BaseModel):
    org_id: str
    org_name: str
    role: str
    purpose: str
    authorisation_ref: str | None
    format: str
    queried_at: datetime


class AlertRead(BaseModel):
    cursor: int
    alert_id: str
    uscc: str
    rule: str
    severity: str
    detail: str
    raised_at: datetime


class LetterRead(BaseModel):
    id: str
    uscc: str
    enterprise_name: str
    legal_representative: str
    sha256: str
    size_bytes: int
    status: str
    uploaded_at: datetime
    void_reason: str | None = None


class DisputeRead(BaseModel):
    dispute_id: str
    report_id: str
    text: str
    filed_by: str
    filed_at: datetime
    status: str
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None


class DefaultReportRead(BaseModel):
    report_id: str
    loan_id: str
    bank_id: str
    uscc: str
    detail: str
    reported_on: date
    days_past_due: int | None = Field(description="the loan's days past due when reported (None: an old report)")
    category: str | None
    outstanding: Yuan | None
    status: str = Field(description="pending (nothing public), confirmed (public record), rejected, annulled")
    received_at: datetime
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None
    record_id: str | None = Field(description="the public dishonesty record a confirmation created")
    disputes: list[DisputeRead]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(min_length=1, max_length=2000)


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text = Field(min_length=1, max_length=2000, description="why the report is wrong")


class DisputeDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uphold: bool
    reason: Text = Field(min_length=1, max_length=2000)
