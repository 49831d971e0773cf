"""What every claims route shares: the write helper (idempotency, one commit, retry on a race), roles."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from xinyidai_shared.auth import Principal, Role
from xinyidai_shared.errors import Conflict, Forbidden
from xinyidai_shared.uow import UnitOfWork, idempotent_replay, idempotent_store

from claims.service_layer.deps import Deps

Work = Callable[[UnitOfWork], Awaitable[tuple[int, Any]]]


def deps_of(request: Request) -> Deps:
    return request.app.state.deps


def body_hash(model: BaseModel) -> str:
    """Hash of the validated body, so formatting differences do not count as a different request."""
    return hashlib.sha256(orjson.dumps(model.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)).hexdigest()


def own_bank(principal: Principal, bank_id: str) -> None:
    """A bank acts only for itself."""
    if principal.role is Role.BANK and principal.org_id != bank_id:
        raise Forbidden("NOT_YOUR_BANK", f"{principal.org_id} may not act for {bank_id}")


def bank_scope(principal: Principal) -> str | None:
    """The bank a caller is limited to (its own), or None for officers who see every bank."""
    return principal.org_id if principal.role is Role.BANK else None


async def write(request: Request, principal: Principal | None, work: Work) -> JSONResponse:
    """Run one command in one unit of work and commit once.

    With an ``Idempotency-Key`` header the first answer is stored with the body's hash in the same
    transaction and replayed for the same body; the key with another body is refused. A unique-key race
    (two first registrations at once, PostgreSQL) is retried once, and the retry finds the winner's row.
    """
    runtime = request.app.state.runtime
    key = request.headers.get("idempotency-key")
    # A bank's keys share one namespace across every route, so the fingerprint covers the method and
    # path too: the same key and body sent to another loan or batch is a reused key, not a replay.
    raw = f"{request.method} {request.url.path}\n".encode() + await request.body()
    # The unit of work holds the database's writer gate, so SQLite writers queue in-process.
    return await _write_once_or_twice(runtime, principal, key, raw, work)


async def _write_once_or_twice(runtime, principal: Principal | None, key: str | None, raw: bytes,  # noqa: ANN001
                               work: Work) -> JSONResponse:
    for attempt in (1, 2):
        async with runtime.uow() as uow:
            try:
                if key and principal is not None:
                    stored = await idempotent_replay(uow, org_id=principal.org_id, key=key, body=raw)
                    if stored is not None:
                        return JSONResponse(stored.body, status_code=stored.status_code)
                status, payload = await work(uow)
                if key and principal is not None:
                    await idempotent_store(uow, org_id=principal.org_id, key=key, body=raw, status_code=status,
                                           response=payload)
                await uow.commit()
                return JSONResponse(payload, status_code=status)
            except IntegrityError:
                if attempt == 2:
                    raise Conflict("CONCURRENT_WRITE", "another request changed this at the same moment; retry") from None
    raise AssertionError("unreachable")
