"""Enterprise identity and credit commitment letters (信用承诺书): upload, public list, void on change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from xinyidai_shared.auth import CREDIT_FILE_READERS, CREDIT_RECORDERS, Principal, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import NotFound
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow, read_limited

from ..adapters import letters_repo
from ..domain.letters import check_letter
from ..schemas import IdentityIn, LetterRead
from ..service_layer import letters

router = APIRouter(prefix="/v1", tags=["commitment letters"])
officers = require(*CREDIT_RECORDERS)


@router.put("/enterprises/{uscc}/identity")
async def put_identity(
    uscc: str, body: IdentityIn, principal: Principal = Depends(officers), uow: UnitOfWork = Depends(get_uow)
) -> dict[str, Any]:
    """Register or change the enterprise's name and legal representative; a change voids its letter."""
    validate_uscc(uscc)
    voided = await letters.change_identity(
        uow, uscc=uscc, name=body.name, legal_representative=body.legal_representative, now=utcnow()
    )
    await uow.commit()
    return {"uscc": uscc, "name": body.name, "legal_representative": body.legal_representative, "letters_voided": voided}


@router.post(
    "/enterprises/{uscc}/commitment-letters",
    status_code=201,
    response_model=LetterRead,
    openapi_extra={"requestBody": {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def upload_letter(uscc: str, request: Request, response: Response, principal: Principal = Depends(officers)) -> Any:
    """Upload the signed letter as the raw PDF body; the same file again returns the same letter (200)."""
    validate_uscc(uscc)
    max_bytes = request.app.state.runtime.settings.letter_max_bytes
    content = await read_limited(request, max_bytes, code="LETTER_TOO_LARGE", what="a letter")
    sha = check_letter(content, max_bytes=max_bytes)
    # The writer lock is taken only once the upload is in and checked.
    async with get_runtime(request).uow() as uow:
        stored, created = await letters.store_letter(
            uow, uscc=uscc, content=content, sha256=sha, uploaded_by=principal.org_id, now=utcnow()
        )
        if created:
            await uow.commit()  # the same file again changes nothing: leaving without a commit rolls back
    response.status_code = 201 if created else 200
    return LetterRead.model_validate(stored)


@router.get("/enterprises/{uscc}/commitment-letters", response_model=list[LetterRead])
async def enterprise_letters(uscc: str, request: Request, _: Principal = Depends(require(*CREDIT_FILE_READERS))) -> Any:
    """Every letter of one enterprise, newest first, with its status (valid, void, replaced)."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return [LetterRead.model_validate(r._mapping) for r in await letters_repo.of_enterprise(session, uscc)]


@router.get("/public/commitment-letters", response_model=list[LetterRead], tags=["public"])
async def public_letters(request: Request) -> Any:
    """Public: every valid commitment letter, with its SHA-256 so anyone can check the published file."""
    async with get_runtime(request).db.read_session() as session:
        return [LetterRead.model_validate(r._mapping) for r in await letters_repo.valid_letters(session)]


@router.get("/public/commitment-letters/{letter_id}.pdf", response_class=Response, tags=["public"])
async def public_letter_file(letter_id: str, request: Request) -> Response:
    """Public: the published PDF of a valid letter."""
    async with get_runtime(request).db.read_session() as session:
        content = await letters_repo.valid_file(session, letter_id)
    if content is None:
        raise NotFound("LETTER_NOT_FOUND", f"no valid letter {letter_id}")
    return Response(content, media_type="application/pdf")
