"""Enterprise identities (name, legal representative) and their credit commitment letters (信用承诺书)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import enterprise, letter

# Letters as lists and reads show them: everything but the file itself.
LETTER_FIELDS = [col for col in letter.c if col.name != "content"]


async def identity(session: AsyncSession, uscc: str) -> Any:
    """The enterprise's registered name and legal representative, or None."""
    return (await session.execute(select(enterprise).where(enterprise.c.uscc == uscc))).first()


async def add_identity(session: AsyncSession, uscc: str, *, name: str, legal_representative: str, at: datetime) -> None:
    await session.execute(insert(enterprise).values(uscc=uscc, name=name, legal_representative=legal_representative, updated_at=at))


async def change_identity(session: AsyncSession, uscc: str, *, name: str, legal_representative: str, at: datetime) -> None:
    values = {"name": name, "legal_representative": legal_representative, "updated_at": at}
    await session.execute(update(enterprise).where(enterprise.c.uscc == uscc).values(**values))


async def valid_letter(session: AsyncSession, uscc: str) -> Any:
    """The enterprise's valid letter (with its content), or None."""
    return (await session.execute(select(letter).where(letter.c.uscc == uscc, letter.c.status == "valid"))).first()


async def latest_letter(session: AsyncSession, uscc: str) -> Any:
    """The enterprise's most recently uploaded letter, whatever its status, or None."""
    query = select(*LETTER_FIELDS).where(letter.c.uscc == uscc).order_by(letter.c.uploaded_at.desc()).limit(1)
    return (await session.execute(query)).first()


async def add_letter(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(letter).values(values))


async def set_status(session: AsyncSession, letter_id: str, *, status: str, at: datetime, reason: str | None = None) -> None:
    """A letter replaced or voided at ``at`` (with the reason of a void)."""
    values: dict[str, Any] = {"status": status, "voided_at": at}
    if reason is not None:
        values["void_reason"] = reason
    await session.execute(update(letter).where(letter.c.id == letter_id).values(values))


async def of_enterprise(session: AsyncSession, uscc: str) -> list[Any]:
    """Every letter of one enterprise, newest first (without the files)."""
    query = select(*LETTER_FIELDS).where(letter.c.uscc == uscc).order_by(letter.c.uploaded_at.desc())
    return list(await session.execute(query))


async def valid_letters(session: AsyncSession) -> list[Any]:
    """Every valid letter, newest first (without the files): the public list."""
    query = select(*LETTER_FIELDS).where(letter.c.status == "valid").order_by(letter.c.uploaded_at.desc())
    return list(await session.execute(query))


async def valid_file(session: AsyncSession, letter_id: str) -> bytes | None:
    """The PDF of a valid letter, or None."""
    row = (await session.execute(select(letter.c.content).where(letter.c.id == letter_id, letter.c.status == "valid"))).first()
    return None if row is None else row.content
