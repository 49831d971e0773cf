"""Server-side sessions: the browser holds a random id in an HttpOnly cookie; tokens stay here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from xinyidai_shared.db import Database

from .tables import ApplicantTicketRow, SessionRow

# seen_at is refreshed at most this often, so reading a page costs no write on most requests.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, as the sign-in adapter established it."""

    subject: str
    org_id: str
    role: str
    org_name: str = ""
    display: str = ""
    access_token: str = ""
    refresh_token: str = ""
    token_expires_at: datetime | None = None


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Sessions:
    """Create, find, refresh and end sessions in the console's database."""

    def __init__(self, db: Database, *, idle: timedelta, lifetime: timedelta) -> None:
        self.db, self.idle, self.lifetime = db, idle, lifetime

    async def create(self, who: SignedIn, now: datetime) -> tuple[str, SessionRow]:
        """A new session; returns the raw id for the cookie (never stored) and the row."""
        raw = secrets.token_urlsafe(32)
        row = SessionRow(
            id_hash=_hash(raw), csrf=secrets.token_urlsafe(32), subject=who.subject, org_id=who.org_id,
            role=who.role, org_name=who.org_name, display=who.display, access_token=who.access_token,
            refresh_token=who.refresh_token, token_expires_at=who.token_expires_at, created_at=now,
            seen_at=now, expires_at=now + self.lifetime,
        )
        async with self.db.writing() as session:
            session.add(row)
            await session.commit()
        return raw, row

    async def find(self, raw: str, now: datetime) -> SessionRow | None:
        """The live session for a cookie value, or None when unknown, idle too long or past its lifetime."""
        async with self.db.read_session() as session:
            row = await session.get(SessionRow, _hash(raw))
        if row is None or row.expires_at <= now or row.seen_at + self.idle <= now:
            return None
        if now - row.seen_at >= TOUCH_EVERY:
            async with self.db.writing() as session:
                live = await session.get(SessionRow, row.id_hash)
                if live is not None:
                    live.seen_at = now
                    await session.commit()
            row.seen_at = now
        return row

    async def update_tokens(self, row: SessionRow, *, access: str, refresh: str, expires_at: datetime | None) -> None:
        """Keep refreshed tokens for a session."""
        async with self.db.writing() as session:
            live = await session.get(SessionRow, row.id_hash)
            if live is not None:
                live.access_token, live.refresh_token, live.token_expires_at = access, refresh, expires_at
                await session.commit()
        row.access_token, row.refresh_token, row.token_expires_at = access, refresh, expires_at

    async def end(self, raw: str) -> None:
        """Sign out: the session row is deleted, so the cookie is worthless even if kept."""
        async with self.db.writing() as session:
            await session.execute(delete(SessionRow).where(SessionRow.id_hash == _hash(raw)))
            await session.commit()

    async def purge(self, now: datetime) -> int:
        """Delete sessions past their lifetime or idle limit."""
        async with self.db.writing() as session:
            result = await session.execute(
                delete(SessionRow).where((SessionRow.expires_at <= now) | (SessionRow.seen_at <= now - self.idle))
            )
            await session.commit()
        return result.rowcount or 0


class Tickets:
    """The applications an enterprise filed through the console (with the whitelist's applicant token for those
    filed before the enterprise applied with its own credential; empty for the rest)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def keep(self, *, application_id: str, uscc: str, token: str, now: datetime) -> None:
        async with self.db.writing() as session:
            session.add(ApplicantTicketRow(application_id=application_id, uscc=uscc, token=token, created_at=now))
            await session.commit()

    async def of(self, uscc: str) -> list[ApplicantTicketRow]:
        """The enterprise's applications, newest first."""
        async with self.db.read_session() as session:
            rows = await session.execute(
                select(ApplicantTicketRow).where(ApplicantTicketRow.uscc == uscc).order_by(ApplicantTicketRow.created_at.desc())
            )
            return list(rows.scalars())
