"""Enterprise identity and credit commitment letters (信用承诺书): every change of a letter is announced.

An upload publishes ``CommitmentLetterPublished`` (and ``CommitmentLetterVoided`` with ``REPLACED`` for the
letter it supersedes); a new legal representative or name voids the valid letter with the matching reason.
The events go through the unit of work, so they leave exactly when the letter change commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from xinyidai_shared.clock import business_date
from xinyidai_shared.errors import Conflict
from xinyidai_shared.events import CommitmentLetterPublished, CommitmentLetterVoided
from xinyidai_shared.uow import UnitOfWork

from ..adapters import letters_repo
from ..adapters.ratings_repo import lock_enterprises
from ..domain.letters import void_reason_code


async def change_identity(uow: UnitOfWork, *, uscc: str, name: str, legal_representative: str, now: datetime) -> int:
    """Register or change the enterprise's identity; returns how many letters the change voided (0 or 1)."""
    await lock_enterprises(uow.session, [uscc])
    old = await letters_repo.identity(uow.session, uscc)
    if old is None:
        await letters_repo.add_identity(uow.session, uscc, name=name, legal_representative=legal_representative, at=now)
        return 0
    reason_code = void_reason_code(old.name, old.legal_representative, name, legal_representative)
    await letters_repo.change_identity(uow.session, uscc, name=name, legal_representative=legal_representative, at=now)
    current = await letters_repo.valid_letter(uow.session, uscc) if reason_code else None
    if current is None:
        return 0
    reason = f"{reason_code}: {old.name}/{old.legal_representative} -> {name}/{legal_representative}"
    await letters_repo.set_status(uow.session, current.id, status="void", at=now, reason=reason)
    uow.publish(CommitmentLetterVoided(uscc=uscc, letter_id=current.id, reason_code=reason_code, voided_on=business_date(now)))
    return 1


async def store_letter(
    uow: UnitOfWork, *, uscc: str, content: bytes, sha256: str, uploaded_by: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Keep the letter as the enterprise's valid one; the same file again returns the valid letter unchanged.

    Returns the letter (without its content) and whether it is new.
    """
    await lock_enterprises(uow.session, [uscc])
    identity = await letters_repo.identity(uow.session, uscc)
    if identity is None:
        raise Conflict("IDENTITY_UNKNOWN", "register the enterprise's name and legal representative first")
    current = await letters_repo.valid_letter(uow.session, uscc)
    if current is not None and current.sha256 == sha256:
        return {k: v for k, v in current._mapping.items() if k != "content"}, False
    today = business_date(now)
    if current is not None:
        await letters_repo.set_status(uow.session, current.id, status="replaced", at=now)
        uow.publish(CommitmentLetterVoided(uscc=uscc, letter_id=current.id, reason_code="REPLACED", voided_on=today))
    values = {
        "id": str(uuid.uuid4()), "uscc": uscc, "enterprise_name": identity.name,
        "legal_representative": identity.legal_representative, "sha256": sha256, "size_bytes": len(content),
        "content": content, "uploaded_by": uploaded_by, "uploaded_at": now, "status": "valid",
    }  # fmt: skip
    await letters_repo.add_letter(uow.session, values)
    uow.publish(
        CommitmentLetterPublished(
            uscc=uscc, letter_id=values["id"], name=identity.name, legal_representative=identity.legal_representative,
            document_sha256=sha256, published_on=today,
        )  # fmt: skip
    )
    return {k: v for k, v in values.items() if k != "content"}, True
