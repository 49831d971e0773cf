"""SME size by 工信部联企业〔2011〕300号 at every boundary of every industry and metric.

The expected table is written out here again from docs/DESIGN.md §2 (not imported), so a typo in the module's
table fails these tests.
"""

from __future__ import annotations

import pytest

from whitelist.domain.sme import SME_TABLE, Figures, Size, SmeIndustry, classify

# industry: {metric: (medium floor, small floor, SME ceiling)}; persons or 万元.
EXPECTED: dict[str, dict[str, tuple[int, int, int]]] = {
    "agriculture": {"revenue": (500, 50, 20000)},
    "industry": {"employees": (300, 20, 1000), "revenue": (2000, 300, 40000)},
    "construction": {"revenue": (6000, 300, 80000), "assets": (5000, 300, 80000)},
    "wholesale": {"employees": (20, 5, 200), "revenue": (5000, 1000, 40000)},
    "retail": {"employees": (50, 10, 300), "revenue": (500, 100, 20000)},
    "transport": {"employees": (300, 20, 1000), "revenue": (3000, 200, 30000)},
    "warehousing": {"employees": (100, 20, 200), "revenue": (1000, 100, 30000)},
    "postal": {"employees": (300, 20, 1000), "revenue": (2000, 100, 30000)},
    "accommodation": {"employees": (100, 10, 300), "revenue": (2000, 100, 10000)},
    "catering": {"employees": (100, 10, 300), "revenue": (2000, 100, 10000)},
    "information_transmission": {"employees": (100, 10, 2000), "revenue": (1000, 100, 100000)},
    "software_it": {"employees": (100, 10, 300), "revenue": (1000, 50, 10000)},
    "real_estate_development": {"revenue": (1000, 100, 200000), "assets": (5000, 2000, 10000)},
    "property_management": {"employees": (300, 100, 1000), "revenue": (1000, 500, 5000)},
    "leasing_business_services": {"employees": (100, 10, 300), "assets": (8000, 100, 120000)},
    "other": {"employees": (100, 10, 300)},
}
COLUMN = {"medium": 0, "small": 1, "ceiling": 2}
FEN_PER_WAN = 1_000_000


def _figures(values: dict[str, int], *, lower: str | None = None) -> Figures:
    """Figures at ``values`` (standard units), with ``lower`` one base unit (person or fen) below."""
    base = {"employees": 0, "revenue": 0, "assets": 0}
    for metric, value in values.items():
        base[metric] = value if metric == "employees" else value * FEN_PER_WAN
    if lower is not None:
        base[lower] -= 1
    return Figures(employees=base["employees"], revenue_fen=base["revenue"], assets_fen=base["assets"])


def _at(industry: str, column: str) -> dict[str, int]:
    return {metric: bounds[COLUMN[column]] for metric, bounds in EXPECTED[industry].items()}


CASES = [(industry, metric) for industry, metrics in EXPECTED.items() for metric in metrics]


def test_table_covers_the_sixteen_industries_of_the_standard() -> None:
    assert {industry.value for industry in SME_TABLE} == set(EXPECTED)
    assert len(SME_TABLE) == 16


@pytest.mark.parametrize("industry", list(EXPECTED))
def test_at_every_floor_and_ceiling_the_tier_is_reached(industry: str) -> None:
    kind = SmeIndustry(industry)
    assert classify(kind, _figures(_at(industry, "ceiling"))).size is Size.LARGE
    assert classify(kind, _figures(_at(industry, "medium"))).size is Size.MEDIUM
    assert classify(kind, _figures(_at(industry, "small"))).size is Size.SMALL


@pytest.mark.parametrize(("industry", "metric"), CASES)
def test_one_unit_below_a_ceiling_is_not_large(industry: str, metric: str) -> None:
    result = classify(SmeIndustry(industry), _figures(_at(industry, "ceiling"), lower=metric))
    assert result.size is Size.MEDIUM


@pytest.mark.parametrize(("industry", "metric"), CASES)
def test_one_unit_below_a_medium_floor_is_small(industry: str, metric: str) -> None:
    result = classify(SmeIndustry(industry), _figures(_at(industry, "medium"), lower=metric))
    assert result.size is Size.SMALL


@pytest.mark.parametrize(("industry", "metric"), CASES)
def test_one_unit_below_a_small_floor_is_micro(industry: str, metric: str) -> None:
    result = classify(SmeIndustry(industry), _figures(_at(industry, "small"), lower=metric))
    assert result.size is Size.MICRO


def test_large_needs_every_ceiling_so_many_employees_with_small_revenue_is_not_large() -> None:
    figures = Figures(employees=5000, revenue_fen=1000 * FEN_PER_WAN, assets_fen=0)
    assert classify(SmeIndustry.INDUSTRY, figures).size is Size.SMALL


def test_large_classification_names_the_ceilings_in_its_reason() -> None:
    figures = Figures(employees=1000, revenue_fen=40000 * FEN_PER_WAN, assets_fen=0)
    result = classify(SmeIndustry.INDUSTRY, figures)
    assert result.size is Size.LARGE
    assert "employees ≥ 1000" in result.reason and "revenue ≥ 40000" in result.reason


def test_negative_figures_are_refused() -> None:
    with pytest.raises(ValueError):
        classify(SmeIndustry.OTHER, Figures(employees=-1, revenue_fen=0, assets_fen=0))
