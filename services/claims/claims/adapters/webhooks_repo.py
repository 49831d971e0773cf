"""Banks' webhook endpoints, the messages they are told and the deliveries of those messages; nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.clock import utcnow

from claims.domain.bank_messages import Message
from claims.domain.webhooks import subscribed

from .tables import bank_message as M
from .tables import webhook_attempt as A
from .tables import webhook_delivery as D
from .tables import webhook_endpoint as E

ENDPOINT_FIELDS = ("endpoint_id", "bank_id", "url", "description", "enabled", "created_at", "updated_at")


def _endpoint(row: Any) -> dict[str, Any]:
    out = {k: getattr(row, k) for k in ENDPOINT_FIELDS}
    out["event_types"] = orjson.loads(row.event_types)
    return out


async def add_endpoint(session: AsyncSession, *, event_types: tuple[str, ...], **values: Any) -> None:
    await session.execute(insert(E).values(event_types=orjson.dumps(list(event_types)).decode(), **values))


async def endpoint_row(session: AsyncSession, endpoint_id: str) -> Any | None:
    """One endpoint that is not deleted, secrets included (for the service layer, never for a response)."""
    query = select(E).where(E.c.endpoint_id == endpoint_id, E.c.deleted_at.is_(None))
    return (await session.execute(query)).first()


async def get_endpoint(session: AsyncSession, endpoint_id: str) -> dict[str, Any] | None:
    row = await endpoint_row(session, endpoint_id)
    return _endpoint(row) if row is not None else None


async def list_endpoints(session: AsyncSession, bank_id: str | None) -> list[dict[str, Any]]:
    """A bank's endpoints (every bank's for officers), oldest first."""
    query = select(E).where(E.c.deleted_at.is_(None)).order_by(E.c.created_at, E.c.endpoint_id)
    if bank_id is not None:
        query = query.where(E.c.bank_id == bank_id)
    return [_endpoint(r) for r in (await session.execute(query)).all()]


async def update_endpoint(session: AsyncSession, endpoint_id: str, **values: Any) -> None:
    if "event_types" in values:
        values["event_types"] = orjson.dumps(list(values["event_types"])).decode()
    await session.execute(update(E).where(E.c.endpoint_id == endpoint_id).values(**values))


async def cancel_pending(session: AsyncSession, endpoint_id: str, reason: str) -> None:
    """Deliveries still waiting for an endpoint that is gone will never be tried."""
    await session.execute(update(D).where(D.c.endpoint_id == endpoint_id, D.c.status == "pending").values(
        status="cancelled", next_attempt_at=None, lease_until=None, last_error=reason))


async def known_messages(session: AsyncSession, message_ids: list[str]) -> set[str]:
    """Which of these message ids exist (a redelivered event must not tell a bank twice)."""
    if not message_ids:
        return set()
    return set((await session.execute(select(M.c.message_id).where(M.c.message_id.in_(message_ids)))).scalars())


async def tell(session: AsyncSession, messages: Iterable[Message], *, endpoint_id: str | None = None) -> int:
    """Store new messages (a replayed event's are known already) and queue their deliveries (to one endpoint
    only when named); returns how many messages were new."""
    messages = list(messages)
    known = await known_messages(session, [m.message_id for m in messages])
    now = utcnow()
    fresh = [m.row(now) for m in messages if m.message_id not in known]
    if fresh:
        await add_messages(session, fresh, now=now, endpoint_id=endpoint_id)
    return len(fresh)


async def add_messages(session: AsyncSession, messages: list[dict[str, Any]], *, now: datetime,
                       endpoint_id: str | None = None) -> int:
    """Store messages and queue a delivery to each enabled endpoint of their bank that takes their type."""
    banks = sorted({m["bank_id"] for m in messages})
    query = select(E.c.endpoint_id, E.c.bank_id, E.c.event_types).where(
        E.c.bank_id.in_(banks), E.c.enabled, E.c.deleted_at.is_(None))
    if endpoint_id is not None:
        query = query.where(E.c.endpoint_id == endpoint_id)
    rows = (await session.execute(query)).all()
    endpoints: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for r in rows:
        endpoints.setdefault(r.bank_id, []).append((r.endpoint_id, tuple(orjson.loads(r.event_types))))
    deliveries = []
    for message in messages:
        seq = (await session.execute(insert(M).values(created_at=now, **message).returning(M.c.seq))).scalar_one()
        deliveries.extend(
            {"message_seq": seq, "endpoint_id": endpoint, "bank_id": message["bank_id"], "status": "pending",
             "attempts": 0, "next_attempt_at": now, "retry_until": None, "created_at": now}
            for endpoint, types in endpoints.get(message["bank_id"], ()) if subscribed(types, message["type"])
        )
    if deliveries:
        await session.execute(insert(D), deliveries)
    return len(deliveries)


def _due_ids(now: datetime, per_endpoint: int, busy: set[str]):  # noqa: ANN202 - a SQL subquery
    """Due deliveries, at most ``per_endpoint`` per endpoint, so one endpoint's backlog never fills a claim."""
    rank = func.row_number().over(partition_by=D.c.endpoint_id, order_by=(D.c.next_attempt_at, D.c.delivery_id))
    ranked = (
        select(D.c.delivery_id, rank.label("rank"))
        .where(D.c.status == "pending", D.c.next_attempt_at <= now, or_(D.c.lease_until.is_(None), D.c.lease_until < now))
    )
    if busy:
        ranked = ranked.where(D.c.endpoint_id.not_in(sorted(busy)))
    ranked = ranked.subquery()
    return select(ranked.c.delivery_id).where(ranked.c.rank <= per_endpoint)


async def claim_due(session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int, per_endpoint: int,
                    busy: set[str]) -> list[Any]:
    """Take due deliveries for this sender until ``lease_until``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
    replicas share the work without waiting on each other (SQLite has one writer at a time anyway)."""
    picked = (
        select(D.c.delivery_id).where(D.c.delivery_id.in_(_due_ids(now, per_endpoint, busy)))
        .order_by(D.c.next_attempt_at, D.c.delivery_id).limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    ids = list((await session.execute(picked)).scalars())
    if not ids:
        return []
    await session.execute(update(D).where(D.c.delivery_id.in_(ids)).values(lease_until=lease_until))
    query = (
        select(D.c.delivery_id, D.c.endpoint_id, D.c.attempts, D.c.retry_until, D.c.created_at, M.c.message_id, M.c.type, M.c.body,
               E.c.url, E.c.secret, E.c.previous_secret, E.c.previous_secret_until)
        .join(M, M.c.seq == D.c.message_seq).join(E, E.c.endpoint_id == D.c.endpoint_id)
        .where(D.c.delivery_id.in_(ids)).order_by(D.c.next_attempt_at, D.c.delivery_id)
    )
    return list((await session.execute(query)).all())


async def record_attempt(session: AsyncSession, delivery_id: int, attempt: dict[str, Any], outcome: dict[str, Any]) -> None:
    """Log one try and set the delivery's state after it (delivered, due again at a time, or failed); a delivery
    cancelled meanwhile (its endpoint deleted) stays cancelled."""
    await session.execute(insert(A).values(delivery_id=delivery_id, **attempt))
    await session.execute(update(D).where(D.c.delivery_id == delivery_id, D.c.status == "pending")
                          .values(lease_until=None, **outcome))


DELIVERY_FIELDS = (D.c.delivery_id, D.c.endpoint_id, D.c.bank_id, D.c.status, D.c.attempts, D.c.next_attempt_at,
                   D.c.retry_until, D.c.last_status_code, D.c.last_error, D.c.last_latency_ms, D.c.created_at,
                   D.c.delivered_at, M.c.message_id, M.c.type)


async def deliveries(session: AsyncSession, *, bank_id: str | None, endpoint_id: str | None, status: str | None,
                     message_id: str | None, before: int | None, limit: int) -> list[dict[str, Any]]:
    """The delivery log, newest first (cursor: deliveries before an id)."""
    query = select(*DELIVERY_FIELDS).join(M, M.c.seq == D.c.message_seq).order_by(D.c.delivery_id.desc()).limit(limit)
    for column, value in ((D.c.bank_id, bank_id), (D.c.endpoint_id, endpoint_id), (D.c.status, status),
                          (M.c.message_id, message_id)):
        if value is not None:
            query = query.where(column == value)
    if before is not None:
        query = query.where(D.c.delivery_id < before)
    return [dict(r._mapping) for r in (await session.execute(query)).all()]


async def delivery(session: AsyncSession, delivery_id: int) -> dict[str, Any] | None:
    row = (await session.execute(select(*DELIVERY_FIELDS).join(M, M.c.seq == D.c.message_seq)
                                 .where(D.c.delivery_id == delivery_id))).first()
    return dict(row._mapping) if row is not None else None


async def attempts(session: AsyncSession, delivery_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Every try of these deliveries, oldest first."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        query = select(A).where(A.c.delivery_id.in_(delivery_ids)).order_by(A.c.seq)
        for r in (await session.execute(query)).all():
            found[r.delivery_id].append({k: v for k, v in r._mapping.items() if k not in ("seq", "delivery_id")})
    return found


async def redeliver(session: AsyncSession, delivery_id: int, *, now: datetime, retry_until: datetime) -> None:
    """Due again now, with a fresh retry window (a delivered message is sent once more)."""
    await session.execute(update(D).where(D.c.delivery_id == delivery_id).values(
        status="pending", next_attempt_at=now, retry_until=retry_until, lease_until=None, delivered_at=None))


async def messages(session: AsyncSession, bank_id: str, *, after: int, limit: int, type_: str | None) -> list[Any]:
    """The bank's feed: every message it was told, oldest first, after a cursor."""
    query = select(M).where(M.c.bank_id == bank_id, M.c.seq > after).order_by(M.c.seq).limit(limit)
    if type_ is not None:
        query = query.where(M.c.type == type_)
    return list((await session.execute(query)).all())


async def pending_counts(session: AsyncSession) -> dict[str, int]:
    """Deliveries by state (for the service's gauges and the officers' view)."""
    rows = await session.execute(select(D.c.status, func.count()).group_by(D.c.status))
    return {status: count for status, count in rows}


async def overdue_pending(session: AsyncSession, now: datetime) -> int:
    """Pending deliveries whose time has come and that no sender holds."""
    query = select(func.count()).select_from(D).where(and_(
        D.c.status == "pending", D.c.next_attempt_at <= now, or_(D.c.lease_until.is_(None), D.c.lease_until < now)))
    return (await session.execute(query)).scalar_one()
