"""An enterprise's own view: who looked at its credit report, and the authorisations it gives banks.

The caller is the enterprise itself, with its organisation token (role ``enterprise``, org_id its USCC).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from xinyidai_shared.auth import Principal, Role, require
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters import consent_repo
from ..schemas import AuthorisationIn, AuthorisationRead, QueryRead
from ..service_layer.reports import grant

router = APIRouter(prefix="/v1", tags=["enterprise self-service"])
enterprise_only = require(Role.ENTERPRISE)


def _own_uscc(principal: Principal) -> str:
    """The enterprise's USCC is its organisation id."""
    validate_uscc(principal.org_id)
    return principal.org_id


@router.get("/self/credit-queries", response_model=list[QueryRead])
async def own_queries(request: Request, principal: Principal = Depends(enterprise_only)) -> Any:
    """The enterprise's own view of who looked at its credit report, when and why."""
    uscc = _own_uscc(principal)
    async with get_runtime(request).db.read_session() as session:
        return [QueryRead.model_validate(r._mapping) for r in await consent_repo.queries_of(session, uscc)]


@router.post("/self/authorisations", status_code=201, response_model=AuthorisationRead)
async def authorise_bank(
    body: AuthorisationIn, response: Response, principal: Principal = Depends(enterprise_only), uow: UnitOfWork = Depends(get_uow)
) -> Any:
    """The enterprise authorises one bank to read its report (same terms again: the same reference, 200)."""
    uscc = _own_uscc(principal)
    row, created = await grant(
        uow, uscc=uscc, bank_id=body.bank_id, purpose=body.purpose, valid_until=body.valid_until, by=f"enterprise:{uscc}"
    )
    await uow.commit()
    response.status_code = 201 if created else 200
    return AuthorisationRead.model_validate(row)


@router.get("/self/authorisations", response_model=list[AuthorisationRead])
async def own_authorisations(request: Request, principal: Principal = Depends(enterprise_only)) -> Any:
    """The authorisations the enterprise has given, revoked ones included."""
    uscc = _own_uscc(principal)
    async with get_runtime(request).db.read_session() as session:
        return [AuthorisationRead.model_validate(r._mapping) for r in await consent_repo.authorisations_of(session, uscc)]
