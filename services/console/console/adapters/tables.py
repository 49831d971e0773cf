"""The console's own tables: server-side sessions, and the applicant tickets it holds for enterprises."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from xinyidai_shared.db import UtcDateTime, service_base

Base = service_base("Console")


class SessionRow(Base, table=True):
    """A signed-in person. The cookie holds a random id; only its SHA-256 is stored, with the tokens."""

    __tablename__ = "console_session"
    id_hash: str = Field(primary_key=True, max_length=64)
    csrf: str = Field(max_length=64)
    subject: str = Field(max_length=200)
    org_id: str = Field(max_length=200)
    role: str = Field(max_length=40)
    org_name: str = Field(default="", max_length=200)
    display: str = Field(default="", max_length=200)
    # Filled when the identity provider issued tokens (authorisation code + PKCE); empty for dev sign-in.
    access_token: str = Field(default="")
    refresh_token: str = Field(default="")
    token_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    seen_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


class ApplicantTicketRow(Base, table=True):
    """The whitelist's applicant token for an application an enterprise filed through the console.

    The whitelist answers a public application with a token that lets its holder follow the file and add
    materials; the console keeps it here, keyed by the enterprise, so it never reaches the browser.
    """

    __tablename__ = "applicant_ticket"
    application_id: str = Field(primary_key=True, max_length=64)
    uscc: str = Field(index=True, max_length=18)
    token: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UtcDateTime)
