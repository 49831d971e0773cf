"""Infrastructure tables every service database has: outbox, inbox, idempotency, dead letters, lease,
rate-limit counters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from .audit import audit_table
from .db import UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    idempotency: Table
    dead_letter: Table
    lease: Table
    rate_limit: Table
    audit: Table


def add_messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the infrastructure tables on a service's own metadata (call once per service)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", SEQ, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("type", String(100), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("sent_at", UtcDateTime, nullable=True),
    )
    Index("ix_outbox_unsent", outbox.c.sent_at, outbox.c.seq)
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("type", String(100), nullable=False),
        Column("handled_at", UtcDateTime, nullable=False),
    )
    idempotency = Table(  # xinyidai_shared.idempotency: keys per caller organisation and method + route
        "idempotency_key",
        metadata,
        Column("org_id", String(100), primary_key=True),
        Column("route", String(200), primary_key=True),
        Column("key", String(400), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response_body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
    )
    dead_letter = Table(
        "dead_letter",
        metadata,
        Column("id", SEQ, primary_key=True, autoincrement=True),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("event_id", String(36), nullable=True),
        Column("reason", Text, nullable=False),
        Column("raw", Text, nullable=False),
        Column("parked_at", UtcDateTime, nullable=False),
    )
    lease = Table(
        "relay_lease",
        metadata,
        Column("name", String(50), primary_key=True),
        Column("holder", String(100), nullable=False),
        Column("expires_at", UtcDateTime, nullable=False),
    )
    # Hits per key and window for the shared rate limiter (``ratelimit.py``); rows expire after two windows.
    rate_limit = Table(
        "rate_limit",
        metadata,
        Column("bucket", String(250), primary_key=True),
        Column("window_no", BigInteger, primary_key=True, autoincrement=False),
        Column("hits", Integer, nullable=False),
        Column("expires_at", UtcDateTime, nullable=False),
    )
    Index("ix_rate_limit_expires", rate_limit.c.expires_at)
    # Who did what (``audit.py``): append-only, one row per committed write by a person or a client.
    audit = audit_table(metadata)
    return MessagingTables(outbox, inbox, idempotency, dead_letter, lease, rate_limit, audit)
