"""fund-ledger's tables (its own metadata). Money is BigInteger fen; CHECK constraints are the backstop
behind the conditional updates in the repositories: even a buggy handler cannot store negative cash or
a bank above its cap."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from xinyidai_shared.db import UtcDateTime
from xinyidai_shared.tables import SEQ, add_messaging_tables

metadata = MetaData()
messaging = add_messaging_tables(metadata)

account = Table(
    "account",
    metadata,
    Column("code", String(200), primary_key=True),
    Column("normal_side", String(6), nullable=False),
    Column("debits_posted_fen", BigInteger, nullable=False, default=0),
    Column("credits_posted_fen", BigInteger, nullable=False, default=0),
    Column("debits_pending_fen", BigInteger, nullable=False, default=0),
    Column("credits_pending_fen", BigInteger, nullable=False, default=0),
    CheckConstraint("normal_side IN ('debit', 'credit')", name="ck_account_side"),
    # No account of the fund's chart may go below zero on its normal side (cash above all).
    CheckConstraint(
        "(normal_side = 'debit' AND debits_posted_fen >= credits_posted_fen)"
        " OR (normal_side = 'credit' AND credits_posted_fen >= debits_posted_fen)",
        name="ck_account_not_negative",
    ),
)

transfer = Table(
    "transfer",
    metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("id", String(120), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("debit_account", String(200), nullable=False),
    Column("credit_account", String(200), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime, nullable=True),
    Column("voided_at", UtcDateTime, nullable=True),
    Column("event_id", String(36), nullable=True),
    Column("claim_id", String(100), nullable=True),
    Column("loan_id", String(100), nullable=True),
    Column("bank_id", String(100), nullable=True),
    # A voided proposal leaves room for another, so "one reversal per transfer" is kept by the writers
    # under the fund lock and checked by verify (only one posted reversal), not by a unique index.
    Column("reverses", String(120), nullable=True),
    Column("memo", Text, nullable=False, default=""),
    Column("due_id", String(160), nullable=True),
    # A caller's own reference, unique within its organisation; never a transfer id (see DERIVED_PREFIXES).
    Column("client_party", String(100), nullable=True),
    Column("client_ref", String(120), nullable=True),
    Column("declared_by", String(200), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decision_note", Text, nullable=True),
    CheckConstraint("amount_fen > 0", name="ck_transfer_positive"),
    CheckConstraint("debit_account <> credit_account", name="ck_transfer_two_accounts"),
    CheckConstraint("status IN ('pending', 'posted', 'voided')", name="ck_transfer_status"),
    UniqueConstraint("client_party", "client_ref", name="uq_transfer_client_ref"),
)
Index("ix_transfer_posted_at", transfer.c.posted_at)
Index("ix_transfer_reverses", transfer.c.reverses)
Index("ix_transfer_due", transfer.c.due_id)
Index("ix_transfer_bank", transfer.c.bank_id, transfer.c.seq)

bank_position = Table(
    "bank_position",
    metadata,
    Column("bank_id", String(100), primary_key=True),
    Column("cap_fen", BigInteger, nullable=True),
    Column("committed_fen", BigInteger, nullable=False, default=0),
    Column("paid_fen", BigInteger, nullable=False, default=0),
    Column("clawed_back_fen", BigInteger, nullable=False, default=0),
    Column("disqualified", Boolean, nullable=False, default=False),
    Column("disqualified_at", UtcDateTime, nullable=True),
    # The per-bank cumulative cap (art.12): the conditional update enforces it, this refuses any slip.
    CheckConstraint("cap_fen IS NULL OR committed_fen <= cap_fen", name="ck_bank_within_cap"),
    CheckConstraint("paid_fen >= 0 AND paid_fen <= committed_fen", name="ck_bank_paid_within_committed"),
)

compensation = Table(
    "compensation",
    metadata,
    Column("claim_id", String(100), primary_key=True),
    Column("bank_id", String(100), nullable=False),
    Column("loan_id", String(100), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("principal_at_loss_fen", BigInteger, nullable=False),
    Column("ratio_bp", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("limited_by", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("reason_code", String(50), nullable=True),
    Column("approved_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("transfer_id", String(120), nullable=True),
    Column("recovery_shared_fen", BigInteger, nullable=False, default=0),
    CheckConstraint("status IN ('waiting', 'paid', 'voided', 'blocked')", name="ck_compensation_status"),
    CheckConstraint("amount_fen >= 0", name="ck_compensation_amount"),
)
Index("ix_compensation_queue", compensation.c.status, compensation.c.approved_at, compensation.c.claim_id)
Index("ix_compensation_bank", compensation.c.bank_id)

due = Table(
    "due",
    metadata,
    Column("id", String(160), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("party", String(100), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("settled_fen", BigInteger, nullable=False, default=0),
    Column("basis_fen", BigInteger, nullable=True),
    Column("rate_bp", Integer, nullable=True),
    Column("year", Integer, nullable=True),
    Column("reference", String(160), nullable=True),
    Column("due_on", Date, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    CheckConstraint("amount_fen > 0 AND settled_fen >= 0 AND settled_fen <= amount_fen", name="ck_due_settled"),
)
Index("ix_due_party", due.c.party, due.c.kind)

recovery = Table(
    "recovery",
    metadata,
    Column("recovery_id", String(100), primary_key=True),
    Column("claim_id", String(100), nullable=False),
    Column("bank_id", String(100), nullable=False),
    Column("recovered_fen", BigInteger, nullable=False),
    Column("costs_fen", BigInteger, nullable=False),
    Column("share_fen", BigInteger, nullable=False, default=0),
    # 'due': share computed and owed; 'awaiting': compensation not paid yet; 'nothing': no share.
    Column("status", String(10), nullable=False),
    Column("reported_on", Date, nullable=False),
)
Index("ix_recovery_claim", recovery.c.claim_id)

loan_exposure = Table(
    "loan_exposure",
    metadata,
    Column("loan_id", String(100), primary_key=True),
    Column("bank_id", String(100), nullable=False),
    Column("principal_fen", BigInteger, nullable=False),
    Column("outstanding_fen", BigInteger, nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
)
