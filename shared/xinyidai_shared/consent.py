"""The consent rule for reading an enterprise's credit facts: one rule, applied by every service that shows them.

An enterprise authorises one bank, for a stated purpose, until a date (inclusive); it may revoke that at any
time. A bank reads an enterprise's grade, report or dishonesty records only under such an authorisation,
naming its reference; officers read with a stated purpose. Every read is logged where it is served, and the
enterprise can see that log. credit-data keeps the authorisations and publishes them
(``CreditAuthorisationGranted`` / ``CreditAuthorisationRevoked``); claims applies the same rule to its
standing answers from its copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import Forbidden, Invalid

PURPOSE_MAX_CHARS = 200


@dataclass(frozen=True, slots=True)
class Consent:
    """An enterprise's authorisation for one bank (``revoked``: withdrawn at the enterprise's request)."""

    ref: str
    uscc: str
    bank_id: str
    valid_until: date
    revoked: bool = False


def require_purpose(purpose: str | None) -> str:
    """The stated purpose of a read (every reader states one)."""
    text = (purpose or "").strip()
    if not text:
        raise Invalid("PURPOSE_REQUIRED", "state the purpose of the query", field="purpose")
    if len(text) > PURPOSE_MAX_CHARS:
        raise Invalid("PURPOSE_TOO_LONG", f"a purpose has at most {PURPOSE_MAX_CHARS} characters", field="purpose")
    return text


def check_bank_consent(consent: Consent | None, *, ref: str | None, uscc: str, bank_id: str, today: date) -> None:
    """Refuse a bank without a usable authorisation of ``uscc`` for itself on ``today`` (``consent``: the one ``ref`` names)."""
    if not ref:
        raise Forbidden("AUTHORISATION_REQUIRED", "a bank needs the enterprise's authorisation reference")
    usable = (
        consent is not None
        and consent.ref == ref
        and consent.uscc == uscc
        and consent.bank_id == bank_id
        and not consent.revoked
        and consent.valid_until >= today
    )
    if not usable:
        raise Forbidden("AUTHORISATION_INVALID", "the authorisation is unknown, expired, revoked or not for this bank")
