"""Checks on a new application (Measures art.9): valid USCC, registered in the city, SME, encouraged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xinyidai_shared.errors import DomainError, Invalid
from xinyidai_shared.uscc import division_code, validate_uscc

from .industry import IndustryCode, is_encouraged, parse_industry_code
from .sme import Classification, Figures, Size, classify

NAME_MAX_CHARS = 200
FLAG_DIVISION_OUTSIDE_CITY = "DIVISION_OUTSIDE_CITY"
# Flags whose acceptance is an exception to art.9 that claims must honour at eligibility (carried in
# EnterpriseRecommended.accepted_exceptions).
ART9_EXCEPTIONS = frozenset({FLAG_DIVISION_OUTSIDE_CITY})


@dataclass(frozen=True, slots=True)
class Intake:
    """A new application's normalised facts and the flags the screening officer must look at."""

    uscc: str
    industry: IndustryCode
    classification: Classification
    flags: tuple[str, ...]


def _text(value: str, field: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise Invalid("FIELD_REQUIRED", f"{field} is required", field=field)
    if len(cleaned) > NAME_MAX_CHARS:
        raise Invalid("FIELD_TOO_LONG", f"{field} has at most {NAME_MAX_CHARS} characters", field=field)
    return cleaned


def assess(
    *,
    uscc: str,
    name: str,
    legal_representative: str,
    industry_code: str,
    figures: Figures,
    city_divisions: Iterable[str],
    encouraged_catalogue: Iterable[str],
) -> Intake:
    """Validate an application; refuse large enterprises and industries outside the catalogue."""
    code = validate_uscc((uscc or "").strip().upper())
    _text(name, "name")
    _text(legal_representative, "legal_representative")
    industry = parse_industry_code(industry_code)
    if figures.employees < 0 or figures.revenue_fen < 0 or figures.assets_fen < 0:
        raise Invalid("FIGURE_NEGATIVE", "employees, revenue and assets cannot be negative")
    classification = classify(industry.sme_industry, figures)
    if classification.size is Size.LARGE:
        raise DomainError("NOT_SME", f"not eligible (art.9): {classification.reason}")
    if not is_encouraged(industry, encouraged_catalogue):
        raise DomainError(
            "INDUSTRY_NOT_ENCOURAGED", f"industry {industry.normalised} is not in the encouraged catalogue (art.9)"
        )
    flags: list[str] = []
    # A code registered elsewhere may still be a local enterprise (moved in), so a person decides.
    if division_code(code) not in set(city_divisions):
        flags.append(FLAG_DIVISION_OUTSIDE_CITY)
    return Intake(code, industry, classification, tuple(flags))


def accept_flags(raised: Iterable[str], accepted: Iterable[str], reason: str | None) -> tuple[str, ...]:
    """The flags a screening officer accepts: every raised flag must be accepted, in so many words.

    Passing a flagged application is a person's decision that the enterprise is eligible after all (an
    enterprise registered elsewhere that has moved into the city), so it is recorded with its reason and
    carried to the list; a flag passed over in silence would be an exception nobody took.
    """
    raised_set, accepted_set = set(raised), set(accepted)
    unknown = sorted(accepted_set - raised_set)
    if unknown:
        raise Invalid("FLAG_NOT_RAISED", f"this application has no flag {', '.join(unknown)}", field="accept_flags")
    missing = sorted(raised_set - accepted_set)
    if missing:
        raise DomainError("FLAGS_NOT_ACCEPTED", "accept or reject the flagged conditions first: " + ", ".join(missing),
                          flags=missing)
    if accepted_set and not (reason or "").strip():
        raise Invalid("REASON_REQUIRED", "accepting a flagged condition needs the reason", field="reason")
    return tuple(sorted(accepted_set))
