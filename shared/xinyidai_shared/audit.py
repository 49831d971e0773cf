"""Who did what: an append-only audit trail of every write by a person or a client, in every service.

Each HTTP request carries an ``AuditContext`` (who: subject, organisation, role, client; what: method,
route, path and its ids; the correlation id), set by an app-wide dependency. A unit of work opened
while serving a write request (POST, PUT, PATCH, DELETE) adds one ``audit_trail`` row when it commits,
in the same transaction as the change: the trail has a row exactly when the change happened. Handlers
add what matters beyond the route (``uow.audit(before=..., after=..., claim_id=...)``: state transitions,
amounts). The events the change published are listed too (their types and aggregate keys name the
objects a POST created). Rows are never updated or deleted: the code has no such statement and, on
PostgreSQL, the service's role is not granted one (``migrations.grant_app_role``).

The auditor reads it at ``GET /v1/audit-trail`` (filters, a bounded cursor) in every service.
"""

from __future__ import annotations

import csv
import io
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .db import UtcDateTime
from .errors import Invalid
from .logs import correlation_id
from .params import STRICT, SeqCursor

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_PAGE = 500
SEQ = BigInteger().with_variant(Integer(), "sqlite")  # as tables.SEQ: SQLite auto-increments INTEGER only


def audit_table(metadata: MetaData) -> Table:
    """The ``audit_trail`` table on a service's metadata (``tables.add_messaging_tables`` calls it)."""
    table = Table(
        "audit_trail",
        metadata,
        Column("id", SEQ, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime, nullable=False),
        Column("subject", String(200), nullable=False),  # the person or system client who acted
        Column("org_id", String(100), nullable=False),
        Column("role", String(40), nullable=False),
        Column("client_id", String(200), nullable=False, default=""),
        Column("method", String(10), nullable=False),
        Column("route", String(300), nullable=False),  # the route template: /v1/claims/{claim_id}/approval
        Column("path", String(1000), nullable=False),
        Column("object_ids", Text, nullable=False),  # JSON: the route's ids and the handler's
        Column("detail", Text, nullable=False),  # JSON: before/after, amounts, events published
        Column("correlation_id", String(64), nullable=True),
    )
    Index("ix_audit_trail_at", table.c.at)
    Index("ix_audit_trail_subject", table.c.subject, table.c.id)
    Index("ix_audit_trail_org", table.c.org_id, table.c.id)
    return table


@dataclass
class AuditContext:
    """What the trail needs to know about the request being served."""

    method: str
    route: str
    path: str
    path_params: dict[str, str]
    subject: str
    org_id: str
    role: str
    client_id: str = ""
    correlation_id: str | None = None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


current_audit: ContextVar[AuditContext | None] = ContextVar("current_audit", default=None)


def route_template(path: str, params: dict[str, Any]) -> str:
    """The path with each id segment named (``/v1/claims/{claim_id}/approval``), whatever prefix the route
    was mounted under, so the trail can be filtered by route."""
    names = {str(value): name for name, value in params.items()}
    return "/".join("{" + names[part] + "}" if part in names else part for part in path.split("/"))


def context_for(request: Request, principal: Any | None) -> AuditContext:
    """The request's audit context; an anonymous public caller is recorded by address."""
    address = request.client.host if request.client else "unknown"
    if principal is None:
        who, org, role, client = f"public:{address}", "", "public", ""
    else:
        who, org, role = principal.actor, principal.org_id, str(principal.role)
        client = str(getattr(principal, "client_id", "") or "")
    return AuditContext(
        method=request.method, route=route_template(request.url.path, request.path_params), path=request.url.path,
        path_params={k: str(v) for k, v in request.path_params.items()}, subject=who, org_id=org, role=role,
        client_id=client, correlation_id=correlation_id.get(),
    )


async def record(
    session: AsyncSession, table: Table, context: AuditContext, *, at: datetime, detail: dict[str, Any], ids: dict[str, Any]
) -> None:
    """Append one row for a committed write (called by the unit of work inside its transaction)."""
    ids = {**context.path_params, **ids}
    await session.execute(insert(table).values(
        at=at, subject=context.subject[:200], org_id=context.org_id[:100], role=context.role[:40],
        client_id=context.client_id[:200], method=context.method, route=context.route[:300], path=context.path[:1000],
        object_ids=orjson.dumps(ids, default=str).decode(), detail=orjson.dumps(detail, default=str).decode(),
        correlation_id=context.correlation_id,
    ))


def row_view(row: Any) -> dict[str, Any]:
    """One trail row as the API shows it."""
    return {
        "id": row.id, "at": row.at.isoformat(), "subject": row.subject, "org_id": row.org_id, "role": row.role,
        "client_id": row.client_id, "method": row.method, "route": row.route, "path": row.path,
        "object_ids": orjson.loads(row.object_ids), "detail": orjson.loads(row.detail), "correlation_id": row.correlation_id,
    }


async def read_trail(
    session: AsyncSession, table: Table, *, after: int = 0, limit: int = 100, subject: str | None = None,
    org_id: str | None = None, route: str | None = None, object_id: str | None = None,
    since: datetime | None = None, until: datetime | None = None, correlation: str | None = None,
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of rows in id order after the cursor ``after``, filtered; and the next cursor (None at the end)."""
    stmt = select(table).where(table.c.id > after)
    for column, value in ((table.c.subject, subject), (table.c.org_id, org_id), (table.c.route, route),
                          (table.c.correlation_id, correlation)):
        if value is not None:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(table.c.at >= since)
    if until is not None:
        stmt = stmt.where(table.c.at < until)
    if object_id is not None:
        # Ids are JSON string values: match the quoted value, so "c1" does not find "c10".
        stmt = stmt.where(table.c.object_ids.contains(orjson.dumps(object_id).decode()))
    rows = (await session.execute(stmt.order_by(table.c.id).limit(limit + 1))).all()
    page = [row_view(r) for r in rows[:limit]]
    return page, (rows[limit - 1].id if len(rows) > limit else None)


def audit_router(require_auditor: Any) -> APIRouter:
    """``GET /v1/audit-trail`` for the service, readable by ``require_auditor`` (a ``require(...)`` dependency)."""
    router = APIRouter(tags=["audit trail"])

    @router.get("/v1/audit-trail")
    async def audit_trail(
        request: Request,
        after: SeqCursor = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE), STRICT] = 100,
        subject: str | None = Query(None, max_length=200),
        org_id: str | None = Query(None, max_length=100),
        route: str | None = Query(None, max_length=300, description="a route template, e.g. /v1/claims/{claim_id}/approval"),
        object_id: str | None = Query(None, max_length=200),
        since: datetime | None = Query(None, description="instant (inclusive)"),
        until: datetime | None = Query(None, description="instant (exclusive)"),
        correlation_id: str | None = Query(None, max_length=64),
        _: Any = Depends(require_auditor),
    ) -> dict[str, Any]:
        """Every write by a person or a client, oldest first: who, what, when, on which objects."""
        for name, instant in (("since", since), ("until", until)):
            if instant is not None and instant.tzinfo is None:
                raise Invalid("INSTANT_NOT_AWARE", f"{name} needs a UTC offset, e.g. 2026-01-01T00:00:00Z", field=name)
        runtime = request.app.state.runtime
        async with runtime.db.read_session() as session:
            items, next_cursor = await read_trail(
                session, runtime.spec.tables.audit, after=after, limit=limit, subject=subject, org_id=org_id,
                route=route, object_id=object_id, since=since, until=until, correlation=correlation_id,
            )
        return {"items": items, "next_cursor": next_cursor}

    return router


TRAIL_COLUMNS = ("id", "at", "subject", "org_id", "role", "client_id", "method", "route", "path", "object_ids", "detail",
                 "correlation_id")


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula to Excel) gets a quote in front."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def trail_csv(session: AsyncSession, table: Table, *, since: datetime, until: datetime) -> tuple[str, int]:
    """The rows written in [since, until) as CSV (for an audit pack), and how many there are."""
    rows = (await session.execute(
        select(table).where(table.c.at >= since, table.c.at < until).order_by(table.c.id)
    )).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRAIL_COLUMNS)
    for row in rows:
        writer.writerow([csv_safe(row.id), row.at.isoformat(), *(csv_safe(getattr(row, c)) for c in TRAIL_COLUMNS[2:])])
    return out.getvalue(), len(rows)
