"""The one way a write is made safe to repeat: a key, the hash of the request, the first answer replayed.

A route that banks or providers call takes ``guard: Idempotency = Depends(idempotency)`` and runs its
command through ``guard.write(principal, work, natural_key=..., body=...)``:

- the keys are the route's natural key when it has one (a bank's loan number, a transfer id) and the
  caller's ``Idempotency-Key`` header when sent; either one finds the first answer, and the answer is kept
  under both; with neither the command simply runs (its own rules refuse a duplicate);
- keys are scoped by the caller's organisation and by method + route template, so one bank's key never
  meets another's and a key used on ``POST /v1/claims`` is unrelated to the same text on another route;
- the fingerprint is the SHA-256 of the concrete path and query and the validated body (canonical JSON,
  so key order and spacing do not count) or of a file's own hash;
- the first answer is stored in the same transaction as the effect and replayed (status and body, with
  ``Idempotent-Replayed: true``) for the same request; the
  same key with another request is refused with 409 ``IDEMPOTENCY_KEY_REUSED``; a refused command stores
  nothing, so it can be sent again once the refusal is fixed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from .auth import Principal
from .clock import utcnow
from .errors import Conflict
from .uow import UnitOfWork

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on a replayed answer, so a client can tell it from the first
KEY_MAX = 200
NATURAL_KEY_MAX = 300
Work = Callable[[UnitOfWork], Awaitable[tuple[int, Any]]]


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


@dataclass(frozen=True)
class Scope:
    """Where a key lives: the caller's organisation and the route (method + template)."""

    org_id: str
    route: str
    key: str


def fingerprint(target: str, body: BaseModel | bytes | str | None) -> str:
    """SHA-256 of the concrete path (and query) and the body: a model as canonical JSON, bytes or text as given."""
    if isinstance(body, BaseModel):
        payload = orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    elif isinstance(body, str):
        payload = body.encode()
    else:
        payload = body or b""
    return hashlib.sha256(target.encode() + b"\n" + payload).hexdigest()


async def hold(uow: UnitOfWork, scopes: list[Scope]) -> None:
    """Serialise requests under the same key until this transaction ends (PostgreSQL; SQLite writers are
    serialised already): a second request then finds the first one's stored answer instead of racing it
    into the command and meeting its effect half-seen."""
    connection = await uow.session.connection()
    if connection.dialect.name != "postgresql" or not scopes:
        return
    names = sorted(f"{s.org_id}\n{s.route}\n{s.key}" for s in scopes)  # one order: no lock cycles
    await connection.exec_driver_sql(
        "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) AS o",
        (names,),
    )


async def replay(uow: UnitOfWork, scope: Scope, request_hash: str) -> StoredResponse | None:
    """The first answer to this key when the request is the same; refuse the key reused for another request."""
    table = uow.tables.idempotency
    row = (
        await uow.session.execute(
            select(table).where(table.c.org_id == scope.org_id, table.c.route == scope.route, table.c.key == scope.key)
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise Conflict(
            "IDEMPOTENCY_KEY_REUSED", f"{scope.key!r} was already used on {scope.route} for a different request",
            key=scope.key.split(":", 1)[1],
        )  # fmt: skip
    return StoredResponse(row.status_code, orjson.loads(row.response_body))


async def remember(uow: UnitOfWork, scope: Scope, request_hash: str, status_code: int, response: Any) -> None:
    """Store the answer to this key in the same transaction as the effect."""
    await uow.session.execute(
        insert(uow.tables.idempotency).values(
            org_id=scope.org_id, route=scope.route, key=scope.key, request_hash=request_hash,
            status_code=status_code, response_body=orjson.dumps(response).decode(), created_at=utcnow(),
        )
    )  # fmt: skip


class Idempotency:
    """One request's replay guard; routes get it from the ``idempotency`` dependency."""

    def __init__(self, request: Request, header_key: str | None) -> None:
        self.request = request
        self.header_key = header_key

    @property
    def route(self) -> str:
        template = getattr(self.request.scope.get("route"), "path", self.request.url.path)
        return f"{self.request.method} {template}"

    async def write(
        self,
        principal: Principal | None,
        work: Work,
        *,
        natural_key: str | None = None,
        body: BaseModel | bytes | str | None = None,
    ) -> JSONResponse:
        """Run ``work`` in one unit of work and commit once; replay or refuse by key as the module says.

        A unique-key race (two first requests at once, PostgreSQL) is retried once; the retry finds the
        winner's stored answer and replays it.
        """
        scopes = self.scopes(principal, natural_key)
        if body is None:
            body = await self.request.body()
        target = self.request.url.path + (f"?{self.request.url.query}" if self.request.url.query else "")
        request_hash = fingerprint(target, body)
        runtime = self.request.app.state.runtime
        for attempt in (1, 2):
            async with runtime.uow() as uow:
                try:
                    await hold(uow, scopes)
                    for scope in scopes:
                        stored = await replay(uow, scope, request_hash)
                        if stored is not None:
                            return JSONResponse(stored.body, status_code=stored.status_code, headers={REPLAYED: "true"})
                    status, payload = await work(uow)
                    for scope in scopes:
                        await remember(uow, scope, request_hash, status, payload)
                    await uow.commit()
                    return JSONResponse(payload, status_code=status)
                except IntegrityError:
                    if attempt == 2:
                        raise Conflict("CONCURRENT_WRITE", "another request changed this at the same moment; retry") from None
        raise AssertionError("unreachable")

    def scopes(self, principal: Principal | None, natural_key: str | None) -> list[Scope]:
        """The keys this request is known by: its natural key and the caller's header key (the public has none)."""
        if principal is None:
            return []
        if natural_key is not None and len(natural_key) > NATURAL_KEY_MAX:  # the column holds 400 characters
            natural_key = "sha256:" + hashlib.sha256(natural_key.encode()).hexdigest()
        keys = [f"natural:{natural_key}" if natural_key is not None else None,
                f"client:{self.header_key}" if self.header_key else None]  # fmt: skip
        return [Scope(principal.org_id, self.route, key) for key in keys if key is not None]


async def idempotency(  # async: FastAPI runs a plain function dependency on a worker thread, a hop per request
    request: Request,
    idempotency_key: str | None = Header(
        None, alias=HEADER, min_length=1, max_length=KEY_MAX, pattern=r"^[\x21-\x7e]+$",
        description="Your key for this request (printable ASCII): the same key and body replay the first answer; "
        "the same key with another body is refused (409 IDEMPOTENCY_KEY_REUSED). Routes with a natural key "
        "(e.g. a loan number) use that instead.",
    ),
) -> Idempotency:
    """Dependency: the replay guard of a write route (declares the ``Idempotency-Key`` header)."""
    return Idempotency(request, idempotency_key)


idempotency.idempotent_write = True  # type: ignore[attr-defined]  # read by the write-inventory test
