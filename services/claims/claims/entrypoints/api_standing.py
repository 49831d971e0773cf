"""An enterprise's standing as claims knows it, under the enterprise's consent, and the log of who read it."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from xinyidai_shared.auth import CREDIT_FILE_READERS, CREDIT_QUERY_LOG_READERS, Principal, Role, require
from xinyidai_shared.uscc import validate_uscc

from claims.adapters import consent_repo
from claims.service_layer.standing import Reader, read_standing

from .common import deps_of

router = APIRouter(tags=["standing"])
READERS = require(Role.BANK, *CREDIT_FILE_READERS)
LOG_READERS = require(*CREDIT_QUERY_LOG_READERS)
ENTERPRISE = require(Role.ENTERPRISE)
LOG_LIMIT = 1000


def _read(row: dict) -> dict:
    return {"org_id": row["org_id"], "org_name": row["org_name"], "role": row["role"], "actor": row["actor"],
            "purpose": row["purpose"], "authorisation_ref": row["authorisation_ref"], "as_of": row["as_of"].isoformat(),
            "queried_at": row["queried_at"].isoformat()}


@router.get("/enterprises/{uscc}/standing")
async def enterprise_standing(
    uscc: str, request: Request, on: date | None = None,
    purpose: str | None = Query(None, max_length=200, description="why you ask (every reader states it)"),
    authorisation_ref: str | None = Query(None, max_length=40, description="the enterprise's authorisation (banks)"),
    principal: Principal = Depends(READERS),
) -> dict:
    """What claims knows of an enterprise on a date (a bank needs the enterprise's authorisation); every read is logged."""
    reader = Reader(principal.org_id, principal.name, principal.role.value, principal.actor, principal.role is Role.BANK)
    async with request.app.state.runtime.uow() as uow:
        standing = await read_standing(uow, deps_of(request), reader=reader, uscc=uscc, on=on, purpose=purpose,
                                       authorisation_ref=authorisation_ref)
        await uow.commit()
    return {"uscc": uscc, **{k: (list(v) if isinstance(v, tuple) else v) for k, v in standing.__dict__.items()}}


@router.get("/enterprises/{uscc}/standing-queries")
async def standing_queries(uscc: str, request: Request, _: Principal = Depends(LOG_READERS)) -> list[dict]:
    """Who read this enterprise's standing, when, why and under which authorisation, newest first (credit office)."""
    validate_uscc(uscc)
    async with request.app.state.runtime.db.read_session() as session:
        return [_read(row) for row in await consent_repo.reads(session, uscc, limit=LOG_LIMIT)]


@router.get("/self/standing-queries")
async def own_standing_queries(request: Request, principal: Principal = Depends(ENTERPRISE)) -> list[dict]:
    """The enterprise's own view of who read its standing here, when and why (its token: org_id is its USCC)."""
    validate_uscc(principal.org_id)
    async with request.app.state.runtime.db.read_session() as session:
        return [_read(row) for row in await consent_repo.reads(session, principal.org_id, limit=LOG_LIMIT)]
