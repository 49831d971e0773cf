"""claims' tables (its own metadata). Money is BigInteger fen; rates are integer ppm; dates are business dates.

Tables are not domain objects and not API schemas: the repositories map between them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table,
    Text, UniqueConstraint,
)
from xinyidai_shared.db import UtcDateTime
from xinyidai_shared.tables import SEQ, add_messaging_tables

metadata = MetaData()
messaging = add_messaging_tables(metadata)

bank = Table(
    "bank", metadata,
    Column("bank_id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("admitted_on", Date, nullable=False),
    Column("agreement_ref", String(200), nullable=False),
    Column("clawed_back_at", UtcDateTime, nullable=True),
    Column("clawback_reason", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

bank_document = Table(
    "bank_document", metadata,
    Column("bank_id", String(100), ForeignKey("bank.bank_id"), primary_key=True),
    Column("kind", String(50), primary_key=True),
    Column("ref", String(500), nullable=False),
    Column("filed_at", UtcDateTime, nullable=False),
)

product = Table(
    "product", metadata,
    Column("product_id", String(40), primary_key=True),
    Column("bank_id", String(100), ForeignKey("bank.bank_id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("max_amount_fen", BigInteger, nullable=False),
    Column("max_term_months", Integer, nullable=False),
    Column("published_on", Date, nullable=False),
    UniqueConstraint("bank_id", "name", name="uq_product_bank_name"),
    CheckConstraint("max_amount_fen > 0 AND max_term_months > 0", name="ck_product_positive"),
)

loan = Table(
    "loan", metadata,
    Column("loan_id", String(40), primary_key=True),
    Column("bank_id", String(100), ForeignKey("bank.bank_id"), nullable=False),
    Column("bank_loan_no", String(100), nullable=False),
    Column("uscc", String(18), nullable=False, index=True),
    Column("product_id", String(40), nullable=True),
    Column("principal_fen", BigInteger, nullable=False),
    Column("rate_ppm", Integer, nullable=False),
    Column("issued_on", Date, nullable=False, index=True),
    Column("matures_on", Date, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("purpose_category", String(40), nullable=False),
    Column("loan_type", String(30), nullable=False),
    Column("through_platform", Boolean, nullable=False),
    Column("first_loan", Boolean, nullable=False),
    Column("reference_source", String(30), nullable=False),
    Column("reference_effective_on", Date, nullable=False),
    Column("reference_rate_ppm", Integer, nullable=False),
    Column("cap_ppm", Integer, nullable=False),
    Column("policy_profile", String(20), nullable=False),
    Column("covered", Boolean, nullable=False),
    Column("checks", Text, nullable=False),  # JSON list of rule verdicts, frozen at registration
    Column("registered_at", UtcDateTime, nullable=False),
    Column("outstanding_fen", BigInteger, nullable=False),
    Column("days_past_due", Integer, nullable=False),
    Column("overdue_principal_fen", BigInteger, nullable=False),
    Column("category", String(20), nullable=False),
    Column("category_flagged", Boolean, nullable=False),
    Column("state", String(10), nullable=False),
    Column("loss_on", Date, nullable=True),
    Column("principal_at_loss_fen", BigInteger, nullable=True),
    Column("malicious_default_on", Date, nullable=True),
    Column("last_status_on", Date, nullable=True),
    UniqueConstraint("bank_id", "bank_loan_no", name="uq_loan_bank_no"),
    CheckConstraint("principal_fen > 0", name="ck_loan_principal"),
    CheckConstraint("outstanding_fen >= 0 AND outstanding_fen <= principal_fen", name="ck_loan_outstanding"),
)

loan_status = Table(
    "loan_status", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("loan_id", String(40), ForeignKey("loan.loan_id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=True),
    Column("days_past_due", Integer, nullable=True),
    Column("category", String(20), nullable=True),
    Column("flagged", Boolean, nullable=False),
    Column("detail", Text, nullable=False),
    Column("source", String(80), nullable=False),
    Column("ref", String(100), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("loan_id", "ref", name="uq_loan_status_ref"),
)

batch = Table(
    "review_batch", metadata,
    Column("batch_id", String(40), primary_key=True),
    Column("state", String(12), nullable=False, index=True),
    # "open" while the batch takes claims, NULL after: the unique index allows one open batch at a time,
    # so two claims racing to open the next batch end up in the same one (the loser retries).
    Column("open_slot", String(4), nullable=True),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("notice_starts_on", Date, nullable=True),
    Column("notice_ends_on", Date, nullable=True),
    Column("notice_working_days", Integer, nullable=True),
    UniqueConstraint("open_slot", name="uq_review_batch_open_slot"),
)

claim = Table(
    "claim", metadata,
    Column("claim_id", String(40), primary_key=True),
    Column("loan_id", String(40), ForeignKey("loan.loan_id"), nullable=False, index=True),
    Column("bank_id", String(100), nullable=False, index=True),
    Column("uscc", String(18), nullable=False),
    Column("batch_id", String(40), ForeignKey("review_batch.batch_id"), nullable=False, index=True),
    Column("principal_at_loss_fen", BigInteger, nullable=False),
    Column("policy_profile", String(20), nullable=False),
    Column("ratio_bp", Integer, nullable=False),
    Column("by_ratio_fen", BigInteger, nullable=False),
    Column("per_loan_cap_fen", BigInteger, nullable=True),
    Column("bank_cap_fen", BigInteger, nullable=True),
    Column("bank_remaining_fen", BigInteger, nullable=True),
    Column("expected_fen", BigInteger, nullable=False),
    Column("materials", Text, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("state", String(24), nullable=False, index=True),
    Column("doubt", Text, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("approved_at", UtcDateTime, nullable=True),
    Column("paid_fen", BigInteger, nullable=True),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("paid_recorded_at", UtcDateTime, nullable=True),
    Column("transfer_id", String(120), nullable=True),
    Column("blocked_reason", Text, nullable=True),
)

claim_step = Table(
    "claim_step", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("claim_id", String(40), ForeignKey("claim.claim_id"), nullable=False, index=True),
    Column("step", String(30), nullable=False),
    Column("decision", String(30), nullable=False),
    Column("by_org", String(100), nullable=False),
    Column("by_actor", String(200), nullable=True),  # the person acting for the organisation, when named
    Column("at", UtcDateTime, nullable=False),
    Column("note", Text, nullable=False),
    Column("reasons", Text, nullable=False),
)

objection = Table(
    "objection", metadata,
    Column("objection_id", String(40), primary_key=True),
    Column("claim_id", String(40), ForeignKey("claim.claim_id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("contact", String(200), nullable=False),
    Column("filed_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("resolved_by", String(100), nullable=True),
    Column("resolution", Text, nullable=True),
    Column("resolved_at", UtcDateTime, nullable=True),
)

recovery = Table(
    "recovery", metadata,
    Column("recovery_id", String(40), primary_key=True),
    Column("claim_id", String(40), ForeignKey("claim.claim_id"), nullable=False, index=True),
    Column("bank_id", String(100), nullable=False),
    Column("bank_ref", String(100), nullable=False),
    Column("recovered_fen", BigInteger, nullable=False),
    Column("costs_fen", BigInteger, nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("bank_id", "bank_ref", name="uq_recovery_bank_ref"),
)

interest_income = Table(
    "interest_income", metadata,
    Column("report_id", String(40), primary_key=True),
    Column("bank_id", String(100), ForeignKey("bank.bank_id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("interest_income_fen", BigInteger, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    UniqueConstraint("bank_id", "year", name="uq_interest_bank_year"),
)

clawback = Table(
    "clawback", metadata,
    Column("clawback_id", String(40), primary_key=True),
    Column("bank_id", String(100), ForeignKey("bank.bank_id"), nullable=False, unique=True),
    Column("reason", Text, nullable=False),
    Column("ordered_by", String(100), nullable=False),
    Column("ordered_at", UtcDateTime, nullable=False),
)

clawback_proposal = Table(
    "clawback_proposal", metadata,
    Column("proposal_id", String(40), primary_key=True),
    Column("bank_id", String(100), ForeignKey("bank.bank_id"), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("proposed_by", String(200), nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("decision_note", Text, nullable=True),
    CheckConstraint("status IN ('proposed', 'ordered', 'rejected')", name="ck_clawback_proposal_status"),
)

status_file = Table(
    "status_file", metadata,
    Column("file_id", String(40), primary_key=True),
    Column("bank_id", String(100), nullable=False),
    Column("month", String(7), nullable=False),
    Column("file_hash", String(64), nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("report", Text, nullable=False),  # JSON answer the bank received
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("bank_id", "month", "file_hash", name="uq_status_file"),
)

# ---- projections of other services' events, kept as history ------------------------------------
listing_history = Table(
    "listing_history", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("on", Date, nullable=False),
    Column("listed", Boolean, nullable=False),
    Column("sme_size", String(10), nullable=True),
    Column("industry_code", String(20), nullable=True),
    # art.9 exceptions the whitelist's officers accepted (comma-separated; EnterpriseRecommended v2)
    Column("accepted_exceptions", String(200), nullable=False, server_default=""),
    Column("event_id", String(36), nullable=False, unique=True),
)

rating_history = Table(
    "rating_history", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("valid_on", Date, nullable=False),
    Column("valid_from", UtcDateTime, nullable=False),
    Column("grade", String(10), nullable=False),
    Column("has_report", Boolean, nullable=False),
    Column("event_id", String(36), nullable=False, unique=True),
)

dishonesty = Table(
    "dishonesty", metadata,
    Column("record_id", String(100), primary_key=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("started_on", Date, nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("removed_on", Date, nullable=True),
    Column("event_id", String(36), nullable=True),  # the DishonestyRecorded that told us (when we knew it)
)

# The working-day calendar officers maintain in whitelist (WorkingCalendarChanged): notices count by it.
workday_override = Table(
    "workday_override", metadata,
    Column("day", Date, primary_key=True),
    Column("working", Boolean, nullable=False),
    Column("note", String(200), nullable=False),
    Column("set_by", String(100), nullable=False),
    Column("set_at", UtcDateTime, nullable=False),
)

# The enterprises' authorisations for banks (credit-data's CreditAuthorisationGranted / Revoked): the same
# consent rule guards claims' standing answers as credit-data's reports.
credit_authorisation = Table(
    "credit_authorisation", metadata,
    Column("ref", String(40), primary_key=True),
    Column("uscc", String(18), nullable=False, index=True),
    Column("bank_id", String(100), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# Every read of an enterprise's standing: who (organisation, role, person), why, about which day, under
# which authorisation. The enterprise and the credit office read it.
standing_query = Table(
    "standing_query", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False),
    Column("org_id", String(100), nullable=False),
    Column("org_name", String(200), nullable=False),
    Column("role", String(30), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("authorisation_ref", String(40), nullable=True),
    Column("as_of", Date, nullable=False),
    Column("queried_at", UtcDateTime, nullable=False),
)
Index("ix_standing_query_uscc", standing_query.c.uscc, standing_query.c.queried_at)

Index("ix_claim_loan_state", claim.c.loan_id, claim.c.state)

# ---- what banks are told: messages, their webhook endpoints and deliveries (docs/WEBHOOKS.md) -------
webhook_endpoint = Table(
    "webhook_endpoint", metadata,
    Column("endpoint_id", String(40), primary_key=True),
    Column("bank_id", String(100), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("description", String(200), nullable=False),
    Column("event_types", Text, nullable=False),  # JSON list; empty: every type
    Column("secret", String(100), nullable=False),  # whsec_<base64>, Standard Webhooks
    Column("previous_secret", String(100), nullable=True),  # still signs beside the new one after a rotation
    Column("previous_secret_until", UtcDateTime, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("deleted_at", UtcDateTime, nullable=True),
)

bank_message = Table(
    "bank_message", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),  # the bank's feed cursor
    Column("message_id", String(60), nullable=False, unique=True),  # webhook-id: the same on every retry
    Column("bank_id", String(100), nullable=False),
    Column("type", String(60), nullable=False),
    Column("body", Text, nullable=False),  # the exact JSON that is signed and sent
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_bank_message_feed", bank_message.c.bank_id, bank_message.c.seq)

webhook_delivery = Table(
    "webhook_delivery", metadata,
    Column("delivery_id", SEQ, primary_key=True, autoincrement=True),
    Column("message_seq", BigInteger, ForeignKey("bank_message.seq"), nullable=False),
    Column("endpoint_id", String(40), ForeignKey("webhook_endpoint.endpoint_id"), nullable=False),
    Column("bank_id", String(100), nullable=False),
    Column("status", String(10), nullable=False),  # pending | delivered | failed | cancelled
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("retry_until", UtcDateTime, nullable=True),  # NULL: the retry window from created_at
    Column("lease_until", UtcDateTime, nullable=True),  # a sender claimed it until then (other replicas skip it)
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_latency_ms", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    UniqueConstraint("message_seq", "endpoint_id", name="uq_webhook_delivery_message_endpoint"),
    CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name="ck_webhook_delivery_status"),
)
Index("ix_webhook_delivery_due", webhook_delivery.c.status, webhook_delivery.c.next_attempt_at)
Index("ix_webhook_delivery_bank", webhook_delivery.c.bank_id, webhook_delivery.c.delivery_id)

webhook_attempt = Table(
    "webhook_attempt", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("delivery_id", BigInteger, ForeignKey("webhook_delivery.delivery_id"), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("response_excerpt", String(500), nullable=True),
)

# ---- bulk loan files from banks' core systems (docs/LOAN_FILES.md) ----------------------------------
loan_file = Table(
    "loan_file", metadata,
    Column("job_id", String(40), primary_key=True),
    Column("bank_id", String(100), nullable=False),
    Column("uploaded_by", String(200), nullable=False),  # the person or system client who sent the file
    Column("kind", String(20), nullable=False),  # loans
    Column("format", String(10), nullable=False),  # ndjson | csv
    Column("encoding", String(10), nullable=False),  # utf-8 | gb18030
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("lines_total", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("lines_done", Integer, nullable=False),
    Column("registered", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("refused", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),  # a worker holds the job until then (a stopped one lets go)
    Column("error", Text, nullable=True),
    CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="ck_loan_file_status"),
)
Index("ix_loan_file_bank", loan_file.c.bank_id, loan_file.c.created_at)
Index("ix_loan_file_status", loan_file.c.status, loan_file.c.created_at)

# The uploaded file while its job runs, in chunks (any replica's worker can read it; dropped when done).
loan_file_chunk = Table(
    "loan_file_chunk", metadata,
    Column("job_id", String(40), ForeignKey("loan_file.job_id"), primary_key=True),
    Column("no", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

loan_file_result = Table(
    "loan_file_result", metadata,
    Column("job_id", String(40), ForeignKey("loan_file.job_id"), primary_key=True),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("bank_loan_no", String(100), nullable=True),
    Column("outcome", String(12), nullable=False),
    Column("loan_id", String(40), nullable=True),
    Column("covered", Boolean, nullable=True),
    Column("code", String(60), nullable=True),
    Column("field", String(100), nullable=True),
    Column("detail", Text, nullable=True),
    CheckConstraint("outcome IN ('registered', 'unchanged', 'refused')", name="ck_loan_file_result_outcome"),
)
