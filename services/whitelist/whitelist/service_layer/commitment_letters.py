"""Handlers of credit-data's commitment-letter events: keep each letter's history, never delist.

Both are idempotent beyond the inbox: the same letter published (or voided) again changes nothing, and a
void that arrives before its publication is kept so that the late publication cannot make the letter valid.
"""

from __future__ import annotations

from datetime import datetime

from xinyidai_shared.events import CommitmentLetterPublished, CommitmentLetterVoided, Envelope
from xinyidai_shared.uow import UnitOfWork

from ..adapters import repository as repo
from ..adapters.tables import CommitmentLetterRow
from ..domain.commitment import check_same_letter


async def on_letter_published(
    uow: UnitOfWork, event: CommitmentLetterPublished, envelope: Envelope, *, now: datetime
) -> None:
    """Record a published letter; a letter already voided stays void, one already published stays as it was."""
    row = await repo.commitment_letter(uow.session, event.letter_id)
    if row is None:
        uow.session.add(CommitmentLetterRow(
            letter_id=event.letter_id, uscc=event.uscc, name=event.name,
            legal_representative=event.legal_representative, document_sha256=event.document_sha256,
            published_on=event.published_on, recorded_at=now, updated_at=now,
        ))
        return
    check_same_letter(event.letter_id, known_uscc=row.uscc, uscc=event.uscc,
                      known_sha256=row.document_sha256, sha256=event.document_sha256)
    if row.published_on is not None:
        return  # the same letter published again
    row.name, row.legal_representative = event.name, event.legal_representative
    row.document_sha256, row.published_on, row.updated_at = event.document_sha256, event.published_on, now


async def on_letter_voided(uow: UnitOfWork, event: CommitmentLetterVoided, envelope: Envelope, *, now: datetime) -> None:
    """Mark the letter void (the first void counts); a void for a letter not yet seen is kept for it."""
    row = await repo.commitment_letter(uow.session, event.letter_id)
    if row is None:
        uow.session.add(CommitmentLetterRow(
            letter_id=event.letter_id, uscc=event.uscc, voided_on=event.voided_on,
            void_reason_code=event.reason_code, recorded_at=now, updated_at=now,
        ))
        return
    check_same_letter(event.letter_id, known_uscc=row.uscc, uscc=event.uscc)
    if row.voided_on is not None:
        return  # already void
    row.voided_on, row.void_reason_code, row.updated_at = event.voided_on, event.reason_code, now
