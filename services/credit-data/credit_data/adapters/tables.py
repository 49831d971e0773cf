"""credit-data's tables, declared with SQLAlchemy Core on the service's own metadata.

Core tables (not ORM classes) because the feed path writes hundreds of thousands of rows a minute with
``executemany`` and reads them back in bulk for re-rating; no identity map is wanted on that path.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from xinyidai_shared.db import UtcDateTime
from xinyidai_shared.tables import SEQ, add_messaging_tables

metadata = MetaData()
messaging = add_messaging_tables(metadata)

# Every column a record version carries, in one list so current and history tables stay the same shape.
RECORD_COLUMNS = (
    "provider", "source_record_id", "uscc", "source", "period", "content_hash",
    "account_no", "consumption_milli", "unit", "amount_due_fen", "amount_paid_fen", "due_on", "paid_on",
    "arrears_fen", "disconnected", "tax_paid_fen", "filed_on_time", "tax_grade",
    "headcount", "contribution_due_fen", "contribution_paid_fen",
)  # fmt: skip


def _record_columns() -> list[Column]:
    return [
        Column("provider", String(64), nullable=False),
        Column("source_record_id", String(64), nullable=False),
        Column("uscc", String(18), nullable=False),
        Column("source", String(20), nullable=False),
        Column("period", Integer, nullable=False),  # month index: year * 12 + month - 1
        Column("content_hash", String(32), nullable=False),
        Column("account_no", String(64)),
        Column("consumption_milli", BigInteger),
        Column("unit", String(8)),
        Column("amount_due_fen", BigInteger),
        Column("amount_paid_fen", BigInteger),
        Column("due_on", Date),
        Column("paid_on", Date),
        Column("arrears_fen", BigInteger, nullable=False),
        Column("disconnected", Boolean, nullable=False),
        Column("tax_paid_fen", BigInteger),
        Column("filed_on_time", Boolean),
        Column("tax_grade", String(1)),
        Column("headcount", Integer),
        Column("contribution_due_fen", BigInteger),
        Column("contribution_paid_fen", BigInteger),
        Column("version", Integer, nullable=False),
        Column("received_at", UtcDateTime, nullable=False),
        Column("job_id", String(36)),
    ]


feed_record = Table(
    "feed_record",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    *_record_columns(),
    UniqueConstraint("provider", "source_record_id", name="uq_feed_record_key"),
)
Index("ix_feed_record_uscc", feed_record.c.uscc)

feed_record_history = Table(
    "feed_record_history",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("record_id", BigInteger, nullable=False),
    *_record_columns(),
    Column("superseded_at", UtcDateTime, nullable=False),
)
Index("ix_feed_record_history_key", feed_record_history.c.provider, feed_record_history.c.source_record_id)

job = Table(
    "job",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(10), nullable=False),  # "feed" or "rerate"
    Column("org_id", String(100), nullable=False),
    Column("sources", String(200), nullable=False),  # the provider's allowed sources when it uploaded
    Column("format", String(10)),
    Column("encoding", String(10)),
    Column("file_path", Text),
    Column("size_bytes", BigInteger, nullable=False),
    Column("body_sha256", String(64)),
    Column("status", String(10), nullable=False),  # queued, running, done, failed
    Column("lines_done", BigInteger, nullable=False),
    Column("accepted", BigInteger, nullable=False),
    Column("unchanged", BigInteger, nullable=False),
    Column("superseded", BigInteger, nullable=False),
    Column("rejected", BigInteger, nullable=False),
    Column("rated", BigInteger, nullable=False),
    Column("error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
)
Index("ix_job_status", job.c.status, job.c.created_at)

job_rejection = Table(
    "job_rejection",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("job_id", String(36), nullable=False),
    Column("line", BigInteger, nullable=False),
    Column("source_record_id", String(64)),
    Column("field", String(40), nullable=False),
    Column("code", String(40), nullable=False),
    Column("reason", Text, nullable=False),
)
Index("ix_job_rejection_job", job_rejection.c.job_id, job_rejection.c.line)

rating_dirty = Table("rating_dirty", metadata, Column("uscc", String(18), primary_key=True))

rating = Table(
    "rating",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("grade", String(8), nullable=False),
    Column("score", Integer),
    Column("model_version", String(40), nullable=False),
    Column("reason_codes", Text, nullable=False),  # JSON list
    Column("factors", Text, nullable=False),  # JSON list of {code, points, detail}
    Column("as_of_period", Integer, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("valid_to", UtcDateTime),
)
Index("ix_rating_uscc_from", rating.c.uscc, rating.c.valid_from)
Index("ix_rating_current", rating.c.uscc, rating.c.valid_to)

enterprise = Table(
    "enterprise",
    metadata,
    Column("uscc", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("legal_representative", String(100), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

dishonesty = Table(
    "dishonesty_record",
    metadata,
    Column("record_id", String(150), primary_key=True),
    Column("uscc", String(18), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # "department" or "bank_default"
    Column("reason", Text, nullable=False),
    Column("started_on", Date, nullable=False),
    Column("expires_on", Date),
    Column("ended_on", Date),  # repaired, removed or expired
    Column("end_reason", Text),
    Column("recorded_at", UtcDateTime, nullable=False),
)
Index("ix_dishonesty_uscc", dishonesty.c.uscc)

# A bank's malicious-default report, held for the credit office's review (nothing public before it).
default_report = Table(
    "default_report",
    metadata,
    Column("report_id", String(40), primary_key=True),
    Column("loan_id", String(100), nullable=False, unique=True),  # one report per loan
    Column("bank_id", String(100), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("detail", Text, nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("days_past_due", Integer),  # the loan's state when reported (None: an event of version 1)
    Column("category", String(20)),
    Column("outstanding_fen", BigInteger),
    Column("status", String(12), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("decided_by", String(100)),
    Column("decided_actor", String(100)),
    Column("decision_reason", Text),
    Column("decided_at", UtcDateTime),
    Column("record_id", String(150)),  # the dishonesty record a confirmation published
)
Index("ix_default_report_uscc", default_report.c.uscc)
Index("ix_default_report_status", default_report.c.status, default_report.c.received_at)

# The enterprise's dispute of a report about itself, decided by the credit office.
default_dispute = Table(
    "default_dispute",
    metadata,
    Column("dispute_id", String(40), primary_key=True),
    Column("report_id", String(40), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("text", Text, nullable=False),
    Column("filed_by", String(100), nullable=False),
    Column("filed_at", UtcDateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_actor", String(100)),
    Column("decision_reason", Text),
    Column("decided_at", UtcDateTime),
)
Index("ix_default_dispute_report", default_dispute.c.report_id)

loan_exposure = Table(
    "loan_exposure",
    metadata,
    Column("loan_id", String(100), primary_key=True),
    Column("bank_id", String(100), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("days_past_due", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_loan_exposure_uscc", loan_exposure.c.uscc, loan_exposure.c.active)

risk_alert = Table(
    "risk_alert",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("alert_id", String(36), nullable=False, unique=True),
    Column("uscc", String(18), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("detail", Text, nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
)

authorisation = Table(
    "report_authorisation",
    metadata,
    Column("ref", String(40), primary_key=True),
    Column("uscc", String(18), nullable=False),
    Column("bank_id", String(100), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("registered_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    # CreditAuthorisationGranted published (claims answers a bank's standing questions under it)
    Column("announced", Boolean, nullable=False, server_default=false()),
)

credit_query = Table(
    "credit_query",
    metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("org_id", String(100), nullable=False),
    Column("org_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("authorisation_ref", String(40)),
    Column("format", String(10), nullable=False),
    Column("queried_at", UtcDateTime, nullable=False),
)
Index("ix_credit_query_uscc", credit_query.c.uscc, credit_query.c.queried_at)

letter = Table(
    "commitment_letter",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("uscc", String(18), nullable=False),
    Column("enterprise_name", String(200), nullable=False),
    Column("legal_representative", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),  # valid, void, replaced
    Column("void_reason", Text),
    Column("voided_at", UtcDateTime),
)
Index("ix_commitment_letter_uscc", letter.c.uscc, letter.c.status)
