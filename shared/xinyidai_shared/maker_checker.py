"""Two people for every hand-made movement of money (maker-checker): one proposes, another confirms.

People are recorded as ``org`` or ``org/person`` (the credential's subject). Two credentials of one
organisation that name no person are one person, so an organisation's shared credential can propose but
never confirm its own proposal. Pure: no I/O, usable from any service's domain.
"""

from __future__ import annotations

from .errors import Forbidden


def person(org_id: str, subject: str = "") -> str:
    """How a person is recorded: the organisation, and the person when the credential names one."""
    return f"{org_id}/{subject}" if subject else org_id


def ensure_second_person(made_by: str | None, checked_by: str) -> None:
    """Refuse a confirmation by the person who proposed or declared (403 SECOND_PERSON_REQUIRED)."""
    if not checked_by:
        raise Forbidden("CONFIRMER_UNKNOWN", "a confirmation must name who confirms")
    if made_by is not None and checked_by == made_by:
        raise Forbidden("SECOND_PERSON_REQUIRED",
                        f"{made_by} proposed this; another officer (or a bank statement) must confirm it")
