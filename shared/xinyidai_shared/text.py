"""Constrained text for identifiers and names: no control, format or bidirectional-override characters.

An identifier (a loan number, a source record id, a reference, a bank id) is compared, stored, logged and
shown to officers: a NUL, a line break or a right-to-left override inside one makes two different ids look
alike or corrupts logs and exports. ``Identifier`` refuses every character of the Unicode categories Cc
(controls, NUL, line breaks, tab), Cf (format: bidi overrides and isolates, zero-width characters), Zl, Zp,
and surrounding spaces; ``Name`` allows inner spaces (names that are also looked up: an enterprise's, a
product's); ``Text`` is free text (reasons, notes, descriptions): lines and tabs allowed, NUL, other controls
and bidirectional overrides refused. ``identifier_problem`` and ``text_problem`` are the same checks for
file and feed parsers.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
# Free text keeps its lines and tabs; it loses the characters that hide or reorder what an officer reads.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")


def identifier_problem(text: str, *, spaces: bool = False) -> str | None:
    """Why ``text`` may not be an identifier (or a name when ``spaces``), or None when it may."""
    if text != text.strip():
        return "must not begin or end with white space"
    if text.isascii() and text.isprintable():  # the common case, checked without a per-character lookup
        return None if spaces or " " not in text else f"must not contain white space (U+0020 at {text.index(' ')})"
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if category in REFUSED_CATEGORIES:
            return f"must not contain control or format characters (U+{ord(char):04X} at {position})"
        if char.isspace() and not (spaces and char == " "):
            return f"must not contain white space (U+{ord(char):04X} at {position})"
    return None


def text_problem(text: str) -> str | None:
    """Why ``text`` may not be free text (a reason, a note, a description), or None when it may."""
    for position, char in enumerate(text):
        refused = char in BIDI_CONTROLS or (unicodedata.category(char) in {"Cc", "Cs"} and char not in TEXT_CONTROLS_ALLOWED)
        if refused:
            return f"must not contain control or bidirectional-override characters (U+{ord(char):04X} at {position})"
    return None


def _identifier(text: str) -> str:
    problem = identifier_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def _name(text: str) -> str:
    problem = identifier_problem(text, spaces=True)
    if problem is not None:
        raise ValueError(problem)
    return text


def _text(text: str) -> str:
    problem = text_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


Identifier = Annotated[str, AfterValidator(_identifier)]
Name = Annotated[str, AfterValidator(_name)]
Text = Annotated[str, AfterValidator(_text)]
