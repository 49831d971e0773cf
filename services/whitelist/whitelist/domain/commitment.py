"""Credit commitment letters (信用承诺书, Plan 4.4.2) as credit-data announces them: which one counts, its status.

A void letter is flagged for officers; it does not take the enterprise off the list (Plan 4.4.2 asks the
enterprise for a new letter, not for removal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xinyidai_shared.errors import Conflict

FLAG_COMMITMENT_LETTER_VOID = "COMMITMENT_LETTER_VOID"


class LetterStatus(StrEnum):
    VALID = "valid"
    VOID = "void"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter as far as its events have arrived: a void may be known before the publication."""

    letter_id: str
    uscc: str
    seq: int  # arrival order here: breaks ties between letters of the same day
    published_on: date | None
    document_sha256: str | None
    voided_on: date | None
    void_reason_code: str | None

    @property
    def status(self) -> LetterStatus:
        return LetterStatus.VOID if self.voided_on is not None else LetterStatus.VALID

    @property
    def dated(self) -> date:
        """The day that orders letters: publication, or the void while the publication is still unknown."""
        day = self.published_on or self.voided_on
        assert day is not None, "a letter row comes from a publication or a void"
        return day


def newest_first(letters: Iterable[Letter]) -> list[Letter]:
    return sorted(letters, key=lambda letter: (letter.dated, letter.seq), reverse=True)


def current(letters: Iterable[Letter]) -> Letter | None:
    """The letter that counts for the enterprise now: the newest one (a later letter replaces earlier ones)."""
    ordered = newest_first(letters)
    return ordered[0] if ordered else None


def status_of(letter: Letter | None) -> LetterStatus:
    return LetterStatus.MISSING if letter is None else letter.status


def flags_for(letter: Letter | None) -> list[str]:
    """What officers must look at on the membership because of the commitment letter."""
    return [FLAG_COMMITMENT_LETTER_VOID] if status_of(letter) is LetterStatus.VOID else []


def check_same_letter(letter_id: str, *, known_uscc: str, uscc: str,
                      known_sha256: str | None = None, sha256: str | None = None) -> None:
    """A letter id names one document of one enterprise; anything else is a contract breach to refuse."""
    if known_uscc != uscc:
        raise Conflict("COMMITMENT_LETTER_OTHER_ENTERPRISE",
                       f"letter {letter_id} belongs to {known_uscc}, not {uscc}", letter_id=letter_id)
    if known_sha256 is not None and sha256 is not None and known_sha256 != sha256:
        raise Conflict("COMMITMENT_LETTER_DOCUMENT_CHANGED",
                       f"letter {letter_id} was published with another document", letter_id=letter_id)
