"""Two people for every hand-made movement of money: one declares or proposes, another confirms.

Cash declared by a bank or an officer, and a reversal proposed by an officer, stay pending until the
finance bureau confirms them; the confirmer must be someone other than the declarer (a bank statement,
which proves the money moved, may confirm any declaration). People are named ``org`` or ``org/person``:
two credentials of one organisation that name no person are the same person.
"""

from __future__ import annotations

from xinyidai_shared.errors import Forbidden


def person(org_id: str, subject: str = "") -> str:
    """How a person is recorded on a transfer: the organisation, and the person when the credential names one."""
    return f"{org_id}/{subject}" if subject else org_id


def ensure_second_person(declared_by: str | None, confirmed_by: str) -> None:
    """Refuse a confirmation by the person who declared (maker-checker)."""
    if not confirmed_by:
        raise Forbidden("CONFIRMER_UNKNOWN", "a confirmation must name who confirms")
    if declared_by is not None and confirmed_by == declared_by:
        raise Forbidden("SECOND_PERSON_REQUIRED",
                        f"{declared_by} declared this; another officer (or a bank statement) must confirm it")
