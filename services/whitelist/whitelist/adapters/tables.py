"""whitelist's tables, on its own metadata (its own database); messaging tables added beside them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field

from xinyidai_shared.db import UtcDateTime, service_base
from xinyidai_shared.tables import SEQ, add_messaging_tables

Base = service_base("Whitelist")


def _instant(nullable: bool = False) -> Column:
    return Column(UtcDateTime, nullable=nullable)


class ApplicationRow(Base, table=True):
    __tablename__ = "application"

    id: str = Field(primary_key=True, max_length=36)
    uscc: str = Field(max_length=18, index=True)
    # Equal to ``uscc`` while the application is open and NULL once closed: the unique constraint
    # then allows one open application per enterprise on SQLite and PostgreSQL alike.
    open_uscc: str | None = Field(default=None, max_length=18, unique=True)
    name: str = Field(max_length=200)
    legal_representative: str = Field(max_length=200)
    industry_code: str = Field(max_length=8)
    sme_industry: str = Field(max_length=40)
    sme_size: str = Field(max_length=10)
    employees: int
    revenue_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    assets_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    flags: str = Field(default="", max_length=200)  # comma-separated flag codes for the screening officer
    accepted_flags: str = Field(default="", max_length=200)  # the flags the screening officer accepted, with a reason
    status: str = Field(max_length=20, index=True)
    submitted_by: str = Field(max_length=100)
    # public (identity not proven), enterprise (its own credential) or department: see domain.applicant
    applicant_kind: str = Field(default="public", max_length=12)
    applicant_token_sha256: str | None = Field(default=None, max_length=64)
    credit_override: bool = False
    notice_starts_on: date | None = None
    notice_ends_on: date | None = None
    notice_working_days: int | None = None
    recommended_on: date | None = None
    created_at: datetime = Field(sa_column=_instant())
    updated_at: datetime = Field(sa_column=_instant())


class TransitionRow(Base, table=True):
    __tablename__ = "application_transition"

    seq: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True, autoincrement=True))
    application_id: str = Field(max_length=36, index=True)
    step: str = Field(max_length=20)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    actor: str = Field(max_length=100)
    role: str = Field(max_length=30)
    reason: str = Field(default="", max_length=4000)
    at: datetime = Field(sa_column=_instant())


class MaterialRow(Base, table=True):
    __tablename__ = "material"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=30)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=60)
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=100)
    uploaded_at: datetime = Field(sa_column=_instant())


class ObjectionRow(Base, table=True):
    __tablename__ = "objection"

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(max_length=36, index=True)
    text: str = Field(max_length=4000)
    contact: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=12)
    received_at: datetime = Field(sa_column=_instant())
    decided_by: str | None = Field(default=None, max_length=100)
    decision_reason: str | None = Field(default=None, max_length=4000)
    decided_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))


class CreditProjectionRow(Base, table=True):
    """The latest rating credit-data published for an enterprise (from CreditRatingChanged)."""

    __tablename__ = "credit_projection"

    uscc: str = Field(primary_key=True, max_length=18)
    grade: str = Field(max_length=10)
    has_report: bool
    valid_from: datetime = Field(sa_column=_instant())
    event_id: str = Field(max_length=36)


class DishonestyProjectionRow(Base, table=True):
    __tablename__ = "dishonesty_projection"

    record_id: str = Field(primary_key=True, max_length=100)
    uscc: str = Field(max_length=18, index=True)
    active: bool
    reason: str = Field(max_length=2000)
    started_on: date | None = None
    removed_on: date | None = None


class CommitmentLetterRow(Base, table=True):
    """One credit commitment letter (信用承诺书) from credit-data's events; an enterprise's rows are its history.

    A void may arrive before its publication: the row then starts with only the void, and the publication,
    when it comes, fills in the document but never makes the letter valid again.
    """

    __tablename__ = "commitment_letter"

    seq: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True, autoincrement=True))
    letter_id: str = Field(max_length=100, unique=True)
    uscc: str = Field(max_length=18, index=True)
    name: str | None = Field(default=None, max_length=200)
    legal_representative: str | None = Field(default=None, max_length=200)
    document_sha256: str | None = Field(default=None, max_length=64)
    published_on: date | None = None
    voided_on: date | None = None
    void_reason_code: str | None = Field(default=None, max_length=40)
    recorded_at: datetime = Field(sa_column=_instant())
    updated_at: datetime = Field(sa_column=_instant())


class MembershipRow(Base, table=True):
    """An enterprise's current place on the list; its history is in ``membership_period``."""

    __tablename__ = "membership"

    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    application_id: str = Field(max_length=36)
    industry_code: str = Field(max_length=8)
    sme_size: str = Field(max_length=10)
    # art.9 exceptions officers accepted (comma-separated), announced with every recommendation
    accepted_exceptions: str = Field(default="", max_length=200)
    status: str = Field(max_length=12, index=True)
    listed_on: date
    last_reviewed_on: date
    updated_at: datetime = Field(sa_column=_instant())


class MembershipPeriodRow(Base, table=True):
    __tablename__ = "membership_period"

    seq: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True, autoincrement=True))
    uscc: str = Field(max_length=18, index=True)
    status: str = Field(max_length=12)
    from_on: date
    to_on: date | None = None
    reason_code: str = Field(max_length=60)
    reason: str = Field(default="", max_length=4000)
    actor: str = Field(max_length=100)
    changed_at: datetime = Field(sa_column=_instant())


class ReviewTaskRow(Base, table=True):
    __tablename__ = "review_task"

    id: str = Field(primary_key=True, max_length=36)
    uscc: str = Field(max_length=18, index=True)
    # Equal to ``uscc`` while open: one open review per enterprise (see ``ApplicationRow.open_uscc``).
    open_uscc: str | None = Field(default=None, max_length=18, unique=True)
    trigger: str = Field(max_length=30)
    detail: str = Field(default="", max_length=2000)
    opened_on: date
    status: str = Field(max_length=10)
    decision: str | None = Field(default=None, max_length=10)
    decided_by: str | None = Field(default=None, max_length=100)
    decision_reason: str | None = Field(default=None, max_length=4000)
    decided_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))


class CalendarOverrideRow(Base, table=True):
    __tablename__ = "calendar_override"

    day: date = Field(primary_key=True)
    working: bool
    note: str = Field(default="", max_length=200)
    set_by: str = Field(max_length=100)
    set_at: datetime = Field(sa_column=_instant())
    announced: bool = False  # WorkingCalendarChanged published (claims counts notices by it)


class PlatformPushRow(Base, table=True):
    """One recommendation to deliver to the national platform, retried until it is accepted."""

    __tablename__ = "platform_push"

    seq: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True, autoincrement=True))
    push_id: str = Field(max_length=36, unique=True)
    uscc: str = Field(max_length=18)
    payload: str = Field(max_length=8000)
    status: str = Field(max_length=10, index=True)
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    next_attempt_at: datetime = Field(sa_column=_instant())
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_column=_instant())
    sent_at: datetime | None = Field(default=None, sa_column=_instant(nullable=True))


Index("ix_platform_push_due", PlatformPushRow.__table__.c.status, PlatformPushRow.__table__.c.next_attempt_at)

metadata = Base.metadata
messaging = add_messaging_tables(metadata)
