"""GB/T 4754 code parsing, mapping to the 300号 industries, and the encouraged catalogue."""

from __future__ import annotations

import pytest

from whitelist.domain.industry import is_encouraged, parse_industry_code
from whitelist.domain.sme import SmeIndustry
from xinyidai_shared.errors import Invalid


@pytest.mark.parametrize(
    ("code", "industry"),
    [
        ("A0111", SmeIndustry.AGRICULTURE), ("05", SmeIndustry.AGRICULTURE), ("B0610", SmeIndustry.INDUSTRY),
        ("C1391", SmeIndustry.INDUSTRY), ("4411", SmeIndustry.INDUSTRY), ("E4710", SmeIndustry.CONSTRUCTION),
        ("F5110", SmeIndustry.WHOLESALE), ("F5211", SmeIndustry.RETAIL), ("G5310", SmeIndustry.OTHER),
        ("G5411", SmeIndustry.TRANSPORT), ("G5810", SmeIndustry.TRANSPORT), ("G5910", SmeIndustry.WAREHOUSING),
        ("G6010", SmeIndustry.POSTAL), ("H6110", SmeIndustry.ACCOMMODATION), ("H6210", SmeIndustry.CATERING),
        ("I6311", SmeIndustry.INFORMATION_TRANSMISSION), ("I6410", SmeIndustry.INFORMATION_TRANSMISSION),
        ("I6510", SmeIndustry.SOFTWARE_IT), ("K7010", SmeIndustry.REAL_ESTATE_DEVELOPMENT),
        ("K7020", SmeIndustry.PROPERTY_MANAGEMENT), ("K7090", SmeIndustry.OTHER),
        ("L7111", SmeIndustry.LEASING_BUSINESS_SERVICES), ("L7211", SmeIndustry.LEASING_BUSINESS_SERVICES),
        ("M7310", SmeIndustry.OTHER), ("J6610", SmeIndustry.OTHER), ("p8310", SmeIndustry.OTHER),
    ],
)
def test_code_maps_to_its_sme_industry(code: str, industry: SmeIndustry) -> None:
    assert parse_industry_code(code).sme_industry is industry


def test_code_without_section_letter_is_normalised_with_it() -> None:
    assert parse_industry_code(" 1391 ").normalised == "C1391"


@pytest.mark.parametrize("code", ["", "C", "X1391", "B1391", "9999", "00", "C139111", "70", "K70", "13-91"])
def test_malformed_or_inconsistent_code_is_refused(code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_industry_code(code)
    assert caught.value.code == "INDUSTRY_CODE_INVALID"


def test_catalogue_entries_match_as_prefixes_of_the_normalised_code() -> None:
    assert is_encouraged(parse_industry_code("1391"), ["C13"])
    assert is_encouraged(parse_industry_code("I6510"), ["A", "i65"])
    assert not is_encouraged(parse_industry_code("K7010"), ["C", "I65", " "])
    assert not is_encouraged(parse_industry_code("C1391"), [])
