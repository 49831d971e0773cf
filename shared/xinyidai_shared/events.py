"""The event contract between services: one envelope, typed frozen payloads, one topic per producer.

Every payload is a frozen Pydantic model with a ``type`` and a ``version``. A breaking change is a new
version registered beside the old one; consumers keep decoding the old one until nobody sends it.
Money in events is integer fen (``*_fen``); ratios are basis points (``*_bp``, 3000 = 30%).
Business dates (``*_on``) are Asia/Shanghai calendar dates; instants (``*_at``) are UTC.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# One topic per producing service keeps all events of one aggregate (same key) in one partition, in order.
TOPICS: dict[str, str] = {
    "credit-data": "xyd.credit-data.events",
    "whitelist": "xyd.whitelist.events",
    "fund-ledger": "xyd.fund-ledger.events",
    "claims": "xyd.claims.events",
}


def dead_letter_topic(topic: str, group: str) -> str:
    """Name of the dead-letter topic where ``group`` parks what it could not handle from ``topic``."""
    return f"{topic}.dlq.{group}"


class EventPayload(BaseModel):
    """Base of all payloads: frozen, strict about unknown fields, typed and versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type: ClassVar[str]
    version: ClassVar[int] = 1
    producer: ClassVar[str]

    def aggregate_key(self) -> str:
        """The aggregate id this event belongs to (the Kafka key)."""
        raise TypeError(f"{type(self).__name__} names no aggregate key")


class Envelope(BaseModel):
    """The one envelope every event travels in."""

    model_config = ConfigDict(frozen=True)
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int
    occurred_at: datetime
    producer: str
    key: str
    correlation_id: str | None = None
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value.astimezone(UTC)

    def decode(self) -> EventPayload:
        """The typed payload; raises ``UnknownEvent`` for a type/version nobody registered."""
        model = REGISTRY.get((self.type, self.version))
        if model is None:
            raise UnknownEvent(f"{self.type} v{self.version}")
        return model.model_validate(self.payload)


def owner_of(event_type: str, version: int) -> str | None:
    """The service that alone may publish this event type (on its own topic); None when unregistered."""
    model = REGISTRY.get((event_type, version))
    return model.producer if model is not None else None


class UnknownEvent(Exception):
    """An envelope whose type and version are not in the registry."""


REGISTRY: dict[tuple[str, int], type[EventPayload]] = {}


def register(model: type[EventPayload]) -> type[EventPayload]:
    """Class decorator: add a payload model to the registry under (type, version)."""
    REGISTRY[(model.type, model.version)] = model
    return model


def envelope_for(
    payload: EventPayload, *, occurred_at: datetime | None = None, correlation_id: str | None = None
) -> Envelope:
    """Wrap a payload in a fresh envelope."""
    return Envelope(
        type=payload.type,
        version=payload.version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=payload.producer,
        key=payload.aggregate_key(),
        correlation_id=correlation_id,
        payload=payload.model_dump(mode="json"),
    )


class _EnterpriseEvent(EventPayload):
    uscc: str

    def aggregate_key(self) -> str:
        return self.uscc


class _LoanEvent(EventPayload):
    producer: ClassVar[str] = "claims"
    loan_id: str
    bank_id: str
    uscc: str

    def aggregate_key(self) -> str:
        return self.loan_id


Grade = Literal["AAA", "AA", "A", "B", "C", "D", "UNRATED"]


# ---- credit-data -------------------------------------------------------------------------------
@register
class CreditRatingChanged(_EnterpriseEvent):
    type: ClassVar[str] = "CreditRatingChanged"
    producer: ClassVar[str] = "credit-data"
    grade: Grade
    previous_grade: Grade | None = None
    score: int | None = None
    model_version: str
    reason_codes: tuple[str, ...] = ()
    has_report: bool
    valid_from: datetime


@register
class DishonestyRecorded(_EnterpriseEvent):
    type: ClassVar[str] = "DishonestyRecorded"
    producer: ClassVar[str] = "credit-data"
    record_id: str
    source: str
    reason: str
    started_on: date
    expires_on: date | None = None


@register
class DishonestyRemoved(_EnterpriseEvent):
    type: ClassVar[str] = "DishonestyRemoved"
    producer: ClassVar[str] = "credit-data"
    record_id: str
    reason: str
    removed_on: date


@register
class RiskAlertRaised(_EnterpriseEvent):
    type: ClassVar[str] = "RiskAlertRaised"
    producer: ClassVar[str] = "credit-data"
    alert_id: str
    rule: str
    severity: Literal["info", "warning", "critical"]
    detail: str
    raised_at: datetime


@register
class CommitmentLetterPublished(_EnterpriseEvent):
    type: ClassVar[str] = "CommitmentLetterPublished"
    producer: ClassVar[str] = "credit-data"
    letter_id: str
    name: str
    legal_representative: str
    document_sha256: str
    published_on: date


@register
class CommitmentLetterVoided(_EnterpriseEvent):
    type: ClassVar[str] = "CommitmentLetterVoided"
    producer: ClassVar[str] = "credit-data"
    letter_id: str
    reason_code: Literal["LEGAL_REPRESENTATIVE_CHANGED", "NAME_CHANGED", "REPLACED", "WITHDRAWN"]
    voided_on: date


@register
class CreditAuthorisationGranted(_EnterpriseEvent):
    """The enterprise authorised one bank to read its credit facts, for a purpose, through ``valid_until``."""

    type: ClassVar[str] = "CreditAuthorisationGranted"
    producer: ClassVar[str] = "credit-data"
    ref: str
    bank_id: str
    purpose: str
    valid_until: date
    granted_at: datetime


@register
class CreditAuthorisationRevoked(_EnterpriseEvent):
    """The enterprise withdrew an authorisation: the bank may no longer use it anywhere."""

    type: ClassVar[str] = "CreditAuthorisationRevoked"
    producer: ClassVar[str] = "credit-data"
    ref: str
    bank_id: str
    revoked_at: datetime


# ---- whitelist ---------------------------------------------------------------------------------
@register
class EnterpriseRecommendedV1(_EnterpriseEvent):
    """Version 1, still decoded for events published before version 2."""

    type: ClassVar[str] = "EnterpriseRecommended"
    producer: ClassVar[str] = "whitelist"
    name: str
    application_id: str
    industry_code: str | None = None
    sme_size: Literal["medium", "small", "micro"] | None = None
    recommended_on: date


# An art.9 condition an officer accepted as met although the data says otherwise: the enterprise's code
# was registered outside the city's divisions, but it has moved in (a person checked and said so).
DIVISION_OUTSIDE_CITY = "DIVISION_OUTSIDE_CITY"


@register
class EnterpriseRecommended(EnterpriseRecommendedV1):
    """Version 2 adds the officers' accepted exceptions, which claims honours at eligibility."""

    version: ClassVar[int] = 2
    accepted_exceptions: tuple[Literal["DIVISION_OUTSIDE_CITY"], ...] = ()


@register
class EnterpriseDelisted(_EnterpriseEvent):
    type: ClassVar[str] = "EnterpriseDelisted"
    producer: ClassVar[str] = "whitelist"
    reason_code: str
    reason: str
    suspended: bool  # True: suspended pending review; False: removed from the list
    delisted_on: date


@register
class WorkingCalendarChanged(EventPayload):
    """Officers declared ``day`` a working or rest day (the State Council's arrangement for a year the
    holiday package does not know, or a local change); every service's notices count days by it."""

    type: ClassVar[str] = "WorkingCalendarChanged"
    producer: ClassVar[str] = "whitelist"
    day: date
    working: bool
    note: str = ""
    set_by: str
    set_at: datetime

    def aggregate_key(self) -> str:
        return "calendar"  # one key: every change to the calendar stays in order


# ---- claims ------------------------------------------------------------------------------------
@register
class LoanRegistered(_LoanEvent):
    type: ClassVar[str] = "LoanRegistered"
    bank_loan_no: str
    principal_fen: int
    annual_rate_bp: int  # floored to whole basis points; the exact rate is annual_rate_ppm
    annual_rate_ppm: int | None = None  # parts per million: 5.655% = 56_550
    issued_on: date
    matures_on: date
    covered: bool
    first_loan: bool
    policy_profile: str


@register
class LoanOverdue(_LoanEvent):
    type: ClassVar[str] = "LoanOverdue"
    days_past_due: int
    overdue_principal_fen: int
    as_of: date


@register
class LoanCured(_LoanEvent):
    """A loan that was past due is current again (the bank reported 0 days past due as of ``cured_on``)."""

    type: ClassVar[str] = "LoanCured"
    previous_days_past_due: int
    cured_on: date


@register
class LoanClassifiedAsLoss(_LoanEvent):
    type: ClassVar[str] = "LoanClassifiedAsLoss"
    principal_at_loss_fen: int
    classified_on: date


@register
class LoanRepaid(_LoanEvent):
    type: ClassVar[str] = "LoanRepaid"
    amount_fen: int
    outstanding_fen: int
    settled: bool
    repaid_on: date


@register
class LoanDefaultedMaliciouslyV1(_LoanEvent):
    """Version 1, still decoded for reports published before version 2."""

    type: ClassVar[str] = "LoanDefaultedMaliciously"
    detail: str
    reported_on: date


@register
class LoanDefaultedMaliciously(LoanDefaultedMaliciouslyV1):
    """A bank's report of malicious default (恶意逃废债) on a loan that is overdue or classified loss.

    It is a report, not a finding: credit-data holds it for the credit office's review, and nothing becomes
    public before an officer confirms it. Version 2 carries the loan's state the officer reviews against.
    """

    version: ClassVar[int] = 2
    days_past_due: int
    category: str
    outstanding_fen: int


@register
class InterestIncomeReported(EventPayload):
    type: ClassVar[str] = "InterestIncomeReported"
    producer: ClassVar[str] = "claims"
    report_id: str
    bank_id: str
    year: int
    interest_income_fen: int

    def aggregate_key(self) -> str:
        return self.bank_id


class _ClaimEvent(_LoanEvent):
    claim_id: str


@register
class ClaimSubmitted(_ClaimEvent):
    type: ClassVar[str] = "ClaimSubmitted"
    principal_at_loss_fen: int
    expected_fen: int


@register
class ClaimApproved(_ClaimEvent):
    type: ClassVar[str] = "ClaimApproved"
    principal_at_loss_fen: int
    ratio_bp: int
    per_loan_cap_fen: int | None
    bank_cap_fen: int | None
    covered_principal_fen: int
    policy_profile: str
    approved_at: datetime


@register
class ClaimRejected(_ClaimEvent):
    type: ClassVar[str] = "ClaimRejected"
    reason_codes: tuple[str, ...]
    reason: str


@register
class RecoveryReported(_ClaimEvent):
    type: ClassVar[str] = "RecoveryReported"
    recovery_id: str
    recovered_fen: int
    costs_fen: int
    reported_on: date


@register
class ClawbackOrdered(EventPayload):
    type: ClassVar[str] = "ClawbackOrdered"
    producer: ClassVar[str] = "claims"
    clawback_id: str
    bank_id: str
    reason: str
    ordered_at: datetime

    def aggregate_key(self) -> str:
        return self.bank_id


# ---- fund-ledger -------------------------------------------------------------------------------
@register
class CompensationPaid(_ClaimEvent):
    type: ClassVar[str] = "CompensationPaid"
    producer: ClassVar[str] = "fund-ledger"
    amount_fen: int
    transfer_id: str
    paid_at: datetime


@register
class CompensationBlocked(_ClaimEvent):
    type: ClassVar[str] = "CompensationBlocked"
    producer: ClassVar[str] = "fund-ledger"
    reason_code: str
    reason: str


@register
class FundDeposited(EventPayload):
    type: ClassVar[str] = "FundDeposited"
    producer: ClassVar[str] = "fund-ledger"
    transfer_id: str
    kind: str
    amount_fen: int
    source: str
    deposited_at: datetime

    def aggregate_key(self) -> str:
        return "fund"


@register
class FundBalanceLow(EventPayload):
    type: ClassVar[str] = "FundBalanceLow"
    producer: ClassVar[str] = "fund-ledger"
    cash_fen: int
    threshold_fen: int
    waiting_fen: int
    observed_at: datetime

    def aggregate_key(self) -> str:
        return "fund"
