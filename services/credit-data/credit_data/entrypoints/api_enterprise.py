"""An enterprise's own view: who looked at its credit report, and the authorisations it gives banks.

The shared auth has no enterprise role, so the credit office issues each enterprise a key (kept only as
its SHA-256) that it sends as ``X-Enterprise-Key``; these routes accept nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy import delete, insert, select

from xinyidai_shared.auth import Principal, Role, Unauthenticated, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters.tables import authorisation, credit_query, enterprise_key
from ..schemas import AuthorisationIn, AuthorisationRead, QueryRead
from ..service_layer.reports import grant

router = APIRouter(prefix="/v1", tags=["enterprise self-service"])
KEY_PREFIX = "xydk_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def enterprise_uscc(request: Request, key: str | None = Header(None, alias="X-Enterprise-Key")) -> str:
    """Dependency: the enterprise whose key was sent; 401 without a valid one."""
    if not key:
        raise Unauthenticated("ENTERPRISE_KEY_REQUIRED", "send the enterprise's key as X-Enterprise-Key")
    async with get_runtime(request).db.read_session() as session:
        uscc = (await session.execute(select(enterprise_key.c.uscc).where(enterprise_key.c.key_sha256 == _digest(key)))).scalar()
    if uscc is None:
        raise Unauthenticated("ENTERPRISE_KEY_INVALID", "the enterprise key is unknown or was replaced")
    return uscc


# Declared like ``require(...)`` does, so the endpoint inventory sees who may call these routes.
enterprise_uscc.allowed_roles = frozenset({"enterprise"})  # type: ignore[attr-defined]


@router.post("/enterprises/{uscc}/access-key", status_code=201)
async def issue_key(
    uscc: str, principal: Principal = Depends(require(Role.CREDIT_OFFICE)), uow: UnitOfWork = Depends(get_uow)
) -> dict[str, str]:
    """Issue the enterprise a new key for its own view (shown once; any previous key stops working)."""
    validate_uscc(uscc)
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    await uow.session.execute(delete(enterprise_key).where(enterprise_key.c.uscc == uscc))
    values = {"uscc": uscc, "key_sha256": _digest(key), "issued_by": principal.org_id, "issued_at": utcnow()}
    await uow.session.execute(insert(enterprise_key).values(values))
    await uow.commit()
    return {"uscc": uscc, "key": key}


@router.get("/self/credit-queries", response_model=list[QueryRead])
async def own_queries(request: Request, uscc: str = Depends(enterprise_uscc)) -> Any:
    """The enterprise's own view of who looked at its credit report, when and why."""
    c = credit_query.c
    async with get_runtime(request).db.read_session() as session:
        rows = await session.execute(select(credit_query).where(c.uscc == uscc).order_by(c.queried_at.desc(), c.id.desc()))
        return [QueryRead.model_validate(r._mapping) for r in rows]


@router.post("/self/authorisations", status_code=201, response_model=AuthorisationRead)
async def authorise_bank(
    body: AuthorisationIn, response: Response, uscc: str = Depends(enterprise_uscc), uow: UnitOfWork = Depends(get_uow)
) -> Any:
    """The enterprise authorises one bank to read its report (same terms again: the same reference, 200)."""
    row, created = await grant(
        uow, uscc=uscc, bank_id=body.bank_id, purpose=body.purpose, valid_until=body.valid_until, by=f"enterprise:{uscc}"
    )
    await uow.commit()
    response.status_code = 201 if created else 200
    return AuthorisationRead.model_validate(row)


@router.get("/self/authorisations", response_model=list[AuthorisationRead])
async def own_authorisations(request: Request, uscc: str = Depends(enterprise_uscc)) -> Any:
    """The authorisations the enterprise has given, revoked ones included."""
    async with get_runtime(request).db.read_session() as session:
        rows = await session.execute(select(authorisation).where(authorisation.c.uscc == uscc).order_by(authorisation.c.created_at))
        return [AuthorisationRead.model_validate(r._mapping) for r in rows]
