"""GB/T 4754-2017 industry codes: parsing, the 300号 industry they fall in, and the encouraged catalogue.

A code is written as an optional section letter followed by 2 to 4 digits of division, group and
class, e.g. ``C1391``, ``1391``, ``I65`` or ``K7010``. The section letter, when given, must agree with
the division. Division 70 (real estate) needs its group because 300号 sizes real-estate development
(7010) and property management (7020) differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from xinyidai_shared.errors import Invalid

from .sme import SmeIndustry

_CODE = re.compile(r"^(?P<section>[A-T])?(?P<digits>\d{2,4})$")

# Divisions (first two digits) of each GB/T 4754-2017 section.
SECTIONS: dict[str, range] = {
    "A": range(1, 6), "B": range(6, 13), "C": range(13, 44), "D": range(44, 47), "E": range(47, 51),
    "F": range(51, 53), "G": range(53, 61), "H": range(61, 63), "I": range(63, 66), "J": range(66, 70),
    "K": range(70, 71), "L": range(71, 73), "M": range(73, 76), "N": range(76, 80), "O": range(80, 83),
    "P": range(83, 84), "Q": range(84, 86), "R": range(86, 91), "S": range(91, 97), "T": range(97, 98),
}

# Division → 300号 industry; divisions not named here (rail 53, finance, education ...) are "other".
_DIVISIONS: dict[int, SmeIndustry] = {
    **{d: SmeIndustry.AGRICULTURE for d in range(1, 6)},
    **{d: SmeIndustry.INDUSTRY for d in range(6, 47)},
    **{d: SmeIndustry.CONSTRUCTION for d in range(47, 51)},
    51: SmeIndustry.WHOLESALE,
    52: SmeIndustry.RETAIL,
    **{d: SmeIndustry.TRANSPORT for d in range(54, 59)},
    59: SmeIndustry.WAREHOUSING,
    60: SmeIndustry.POSTAL,
    61: SmeIndustry.ACCOMMODATION,
    62: SmeIndustry.CATERING,
    63: SmeIndustry.INFORMATION_TRANSMISSION,
    64: SmeIndustry.INFORMATION_TRANSMISSION,
    65: SmeIndustry.SOFTWARE_IT,
    71: SmeIndustry.LEASING_BUSINESS_SERVICES,
    72: SmeIndustry.LEASING_BUSINESS_SERVICES,
}
_REAL_ESTATE_GROUPS = {"701": SmeIndustry.REAL_ESTATE_DEVELOPMENT, "702": SmeIndustry.PROPERTY_MANAGEMENT}


@dataclass(frozen=True, slots=True)
class IndustryCode:
    """A validated GB/T 4754 code, normalised to section letter + digits (``C1391``)."""

    section: str
    digits: str

    @property
    def normalised(self) -> str:
        return f"{self.section}{self.digits}"

    @property
    def sme_industry(self) -> SmeIndustry:
        """The 300号 industry whose size table applies."""
        division = int(self.digits[:2])
        if division == 70:
            return _REAL_ESTATE_GROUPS.get(self.digits[:3], SmeIndustry.OTHER)
        return _DIVISIONS.get(division, SmeIndustry.OTHER)


def _section_of(division: int) -> str | None:
    return next((letter for letter, divisions in SECTIONS.items() if division in divisions), None)


def parse_industry_code(text: str) -> IndustryCode:
    """Validate and normalise a GB/T 4754 code; raise ``Invalid`` (INDUSTRY_CODE_INVALID) otherwise."""
    cleaned = text.strip().upper() if isinstance(text, str) else ""
    match = _CODE.match(cleaned)
    if match is None:
        raise Invalid("INDUSTRY_CODE_INVALID", f"{text!r} is not a GB/T 4754 code (e.g. C1391)", field="industry_code")
    digits = match["digits"]
    section = _section_of(int(digits[:2]))
    if section is None:
        raise Invalid("INDUSTRY_CODE_INVALID", f"division {digits[:2]} does not exist", field="industry_code")
    if match["section"] and match["section"] != section:
        raise Invalid(
            "INDUSTRY_CODE_INVALID", f"division {digits[:2]} belongs to section {section}", field="industry_code"
        )
    if digits[:2] == "70" and len(digits) < 3:
        raise Invalid(
            "INDUSTRY_CODE_INVALID",
            "real estate (70) needs its group: 701x development or 702x property management",
            field="industry_code",
        )
    return IndustryCode(section, digits)


def is_encouraged(code: IndustryCode, catalogue: Iterable[str]) -> bool:
    """Whether ``code`` falls under an entry of the encouraged catalogue (entries are code prefixes)."""
    return any(code.normalised.startswith(entry.strip().upper()) for entry in catalogue if entry.strip())
