"""Storing feed records by natural key: new → insert, same content → unchanged, new content → supersede.

Works a batch at a time: one query finds the batch's existing keys, then inserts, history copies and
updates go out as ``executemany``. A key repeated inside one batch is resolved in arrival order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.records import FeedRecord
from .bulk import insert_rows
from .tables import RECORD_COLUMNS, feed_record, feed_record_history

LOOKUP_CHUNK = 500
ACCEPTED, UNCHANGED, SUPERSEDED = "accepted", "unchanged", "superseded"


@dataclass
class StoreOutcome:
    """What a batch did: an outcome per record (in order) and the enterprises whose data changed."""

    outcomes: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o == outcome)


INSERT_COLUMNS = (*RECORD_COLUMNS, "version", "received_at", "job_id")


def _row(record: FeedRecord) -> dict[str, Any]:
    return record._asdict()


async def _existing(session: AsyncSession, provider: str, ids: Sequence[str]) -> dict[str, tuple[int, str, str, int]]:
    """The batch's keys already stored: source record id -> (row id, content hash, enterprise, version)."""
    found: dict[str, tuple[int, str, str, int]] = {}
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # asyncpg caches prepared statements; a generic plan made while the table was small keeps seq-scanning
        # it as it grows to millions of rows. Custom plans see the table's real size and use the key index.
        await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        result = await connection.exec_driver_sql(
            "SELECT source_record_id, id, content_hash, uscc, version FROM feed_record"
            " WHERE provider = $1 AND source_record_id = ANY($2)",
            (provider, list(ids)),
        )
        return {rid: (row_id, digest, uscc, version) for rid, row_id, digest, uscc, version in result}
    # SQLite: the whole batch's keys in one statement, passed as a JSON array (no limit on bound variables).
    result = await connection.exec_driver_sql(
        "SELECT source_record_id, id, content_hash, uscc, version FROM feed_record"
        " WHERE provider = ? AND source_record_id IN (SELECT value FROM json_each(?))",
        (provider, orjson.dumps(list(ids)).decode()),
    )
    for rid, row_id, digest, uscc, version in result:
        found[rid] = (row_id, digest, uscc, version)
    return found


async def store_records(
    session: AsyncSession, provider: str, records: Sequence[FeedRecord], *, now: datetime, job_id: str | None = None
) -> StoreOutcome:
    """Apply one provider's batch; never commits (the unit of work does)."""
    rounds = _rounds(records)
    if len(rounds) > 1:
        # A key repeated in one batch (a correction right behind its original) is applied round by round,
        # so every version it replaces reaches the history, exactly as if the pushes had come apart.
        outcomes: list[str | None] = [None] * len(records)
        merged = StoreOutcome()
        for positions in rounds:
            part = await store_records(session, provider, [records[i] for i in positions], now=now, job_id=job_id)
            for i, outcome in zip(positions, part.outcomes, strict=True):
                outcomes[i] = outcome
            merged.touched |= part.touched
        merged.outcomes = [o for o in outcomes if o is not None]
        return merged
    result = StoreOutcome()
    existing = await _existing(session, provider, list({r.source_record_id for r in records}))
    fresh: dict[str, FeedRecord] = {}  # keys first seen in this batch, to insert
    changed: dict[str, dict[str, Any]] = {}  # existing rows to supersede, keyed by source record id
    for record in records:
        rid = record.source_record_id
        if rid in fresh:
            current_hash = fresh[rid].content_hash
        elif rid in changed:
            current_hash = changed[rid]["content_hash"]
        else:
            current_hash = existing[rid][1] if rid in existing else None
        if current_hash == record.content_hash:
            result.outcomes.append(UNCHANGED)
            continue
        result.touched.add(record.uscc)
        if rid in fresh:
            fresh[rid] = record
            result.outcomes.append(SUPERSEDED)
        elif rid in existing:
            row_id, _, old_uscc, version = existing[rid]
            result.touched.add(old_uscc)  # a correction may move a record to another enterprise
            changed[rid] = _row(record) | {"received_at": now, "job_id": job_id, "version": version + 1, "_id": row_id}
            result.outcomes.append(SUPERSEDED)
        else:
            fresh[rid] = record
            result.outcomes.append(ACCEPTED)
    if changed:
        await _supersede(session, list(changed.values()), now)
    if fresh:
        tail = (1, now, job_id)
        await insert_rows(session, feed_record, INSERT_COLUMNS, [tuple(r) + tail for r in fresh.values()])
    return result


def _rounds(records: Sequence[FeedRecord]) -> list[list[int]]:
    """Positions of the records split so that no round holds a key twice (the n-th sighting of a key goes
    to round n); a batch without repeats is one round."""
    seen: dict[str, int] = {}
    rounds: list[list[int]] = []
    for i, record in enumerate(records):
        n = seen.get(record.source_record_id, 0)
        seen[record.source_record_id] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(i)
    return rounds


async def _supersede(session: AsyncSession, rows: list[dict[str, Any]], now: datetime) -> None:
    """Copy the current versions into history, then overwrite them in place with the new content."""
    c = feed_record.c
    ids = [row["_id"] for row in rows]
    copied = [getattr(c, name) for name in INSERT_COLUMNS]
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        source = select(c.id, *copied, bindparam("now", now, type_=feed_record_history.c.superseded_at.type))
        await session.execute(
            insert(feed_record_history).from_select(
                ["record_id", *(col.name for col in copied), "superseded_at"], source.where(c.id.in_(chunk))
            )
        )
    values = {name: bindparam(name) for name in INSERT_COLUMNS}
    await session.execute(update(feed_record).where(c.id == bindparam("_id")).values(values), rows)


_DATE_POSITIONS = (RECORD_COLUMNS.index("due_on"), RECORD_COLUMNS.index("paid_on"))
_BOOL_POSITIONS = (RECORD_COLUMNS.index("disconnected"), RECORD_COLUMNS.index("filed_on_time"))


def _from_sqlite(row: tuple) -> FeedRecord:
    """SQLite hands back dates as ISO text and booleans as 0/1; restore the types SQLAlchemy would."""
    values = list(row)
    for position in _DATE_POSITIONS:
        if values[position] is not None:
            values[position] = date.fromisoformat(values[position])
    for position in _BOOL_POSITIONS:
        if values[position] is not None:
            values[position] = bool(values[position])
    return FeedRecord(*values)


async def records_for(session: AsyncSession, usccs: Iterable[str]) -> dict[str, list[FeedRecord]]:
    """Current record versions of these enterprises, grouped by enterprise.

    Re-rating reads every record of every enterprise, so this goes to the driver directly (see bulk.py).
    """
    wanted = list(usccs)
    grouped: dict[str, list[FeedRecord]] = {u: [] for u in wanted}
    connection = await session.connection()
    columns = ", ".join(RECORD_COLUMNS)
    uscc_at = RECORD_COLUMNS.index("uscc")
    postgres = connection.dialect.name == "postgresql"
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        if postgres:
            result = await connection.exec_driver_sql(f"SELECT {columns} FROM feed_record WHERE uscc = ANY($1)", (chunk,))
            for row in result:
                grouped[row[uscc_at]].append(FeedRecord(*row))
        else:
            marks = ", ".join("?" * len(chunk))
            result = await connection.exec_driver_sql(f"SELECT {columns} FROM feed_record WHERE uscc IN ({marks})", tuple(chunk))
            for row in result:
                grouped[row[uscc_at]].append(_from_sqlite(tuple(row)))
    return grouped


async def record_history(session: AsyncSession, provider: str, source_record_id: str) -> list[dict[str, Any]]:
    """Every superseded version of one record, oldest first."""
    h = feed_record_history.c
    rows = await session.execute(
        select(feed_record_history)
        .where(h.provider == provider, h.source_record_id == source_record_id)
        .order_by(h.version)
    )
    return [dict(row._mapping) for row in rows]
