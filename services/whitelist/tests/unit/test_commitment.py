"""Which commitment letter counts: the newest by publication (or void, while the publication is unknown)."""

from __future__ import annotations

from datetime import date

from whitelist.domain.commitment import Letter, LetterStatus, current, flags_for, newest_first, status_of


def _letter(letter_id: str, seq: int, published_on: date | None, voided_on: date | None = None) -> Letter:
    return Letter(letter_id=letter_id, uscc="x", seq=seq, published_on=published_on, document_sha256=None,
                  voided_on=voided_on, void_reason_code="REPLACED" if voided_on else None)


def test_no_letter_is_missing_and_unflagged() -> None:
    assert current([]) is None and status_of(None) is LetterStatus.MISSING and flags_for(None) == []


def test_newest_publication_counts_and_same_day_letters_go_by_arrival() -> None:
    old = _letter("a", 1, date(2026, 1, 5), voided_on=date(2026, 3, 1))
    new = _letter("b", 2, date(2026, 3, 1))
    same_day_later = _letter("c", 3, date(2026, 3, 1))
    assert current([old, new]) == new and status_of(new) is LetterStatus.VALID
    assert [letter.letter_id for letter in newest_first([new, same_day_later, old])] == ["c", "b", "a"]


def test_a_void_known_before_its_publication_is_dated_by_the_void() -> None:
    published = _letter("a", 1, date(2026, 1, 5))
    void_only = _letter("b", 2, None, voided_on=date(2026, 2, 1))
    assert current([published, void_only]) == void_only
    assert flags_for(void_only) == ["COMMITMENT_LETTER_VOID"]
