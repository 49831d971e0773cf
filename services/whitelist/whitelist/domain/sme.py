"""SME size classification by 《中小企业划型标准规定》 (工信部联企业〔2011〕300号), as a table.

Each industry lists the metrics it uses and, per metric, the medium floor, the small floor and the SME
ceiling, in the standard's own units: persons for employees, 10,000 CNY (万元) for revenue and assets.
The rules (docs/DESIGN.md §2):
- large (not eligible): every listed metric at or above its SME ceiling;
- medium: every listed metric at or above its medium floor;
- small: every listed metric at or above its small floor;
- micro: otherwise, i.e. at least one metric below its small floor.
Money arrives as integer fen and is compared exactly against ``floor_wan × 1,000,000`` fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FEN_PER_WAN = 10_000 * 100  # 万元 → yuan → fen


class Metric(StrEnum):
    EMPLOYEES = "employees"
    REVENUE = "revenue"
    ASSETS = "assets"


class Size(StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class SmeIndustry(StrEnum):
    AGRICULTURE = "agriculture"
    INDUSTRY = "industry"
    CONSTRUCTION = "construction"
    WHOLESALE = "wholesale"
    RETAIL = "retail"
    TRANSPORT = "transport"
    WAREHOUSING = "warehousing"
    POSTAL = "postal"
    ACCOMMODATION = "accommodation"
    CATERING = "catering"
    INFORMATION_TRANSMISSION = "information_transmission"
    SOFTWARE_IT = "software_it"
    REAL_ESTATE_DEVELOPMENT = "real_estate_development"
    PROPERTY_MANAGEMENT = "property_management"
    LEASING_BUSINESS_SERVICES = "leasing_business_services"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Threshold:
    """One metric's bounds for one industry, in the standard's units (persons or 万元)."""

    metric: Metric
    medium_floor: int
    small_floor: int
    sme_ceiling: int


def _t(metric: Metric, medium: int, small: int, ceiling: int) -> Threshold:
    return Threshold(metric, medium, small, ceiling)


E, R, A = Metric.EMPLOYEES, Metric.REVENUE, Metric.ASSETS

# The table of docs/DESIGN.md §2, one row per industry of the standard.
SME_TABLE: dict[SmeIndustry, tuple[Threshold, ...]] = {
    SmeIndustry.AGRICULTURE: (_t(R, 500, 50, 20000),),
    SmeIndustry.INDUSTRY: (_t(E, 300, 20, 1000), _t(R, 2000, 300, 40000)),
    SmeIndustry.CONSTRUCTION: (_t(R, 6000, 300, 80000), _t(A, 5000, 300, 80000)),
    SmeIndustry.WHOLESALE: (_t(E, 20, 5, 200), _t(R, 5000, 1000, 40000)),
    SmeIndustry.RETAIL: (_t(E, 50, 10, 300), _t(R, 500, 100, 20000)),
    SmeIndustry.TRANSPORT: (_t(E, 300, 20, 1000), _t(R, 3000, 200, 30000)),
    SmeIndustry.WAREHOUSING: (_t(E, 100, 20, 200), _t(R, 1000, 100, 30000)),
    SmeIndustry.POSTAL: (_t(E, 300, 20, 1000), _t(R, 2000, 100, 30000)),
    SmeIndustry.ACCOMMODATION: (_t(E, 100, 10, 300), _t(R, 2000, 100, 10000)),
    SmeIndustry.CATERING: (_t(E, 100, 10, 300), _t(R, 2000, 100, 10000)),
    SmeIndustry.INFORMATION_TRANSMISSION: (_t(E, 100, 10, 2000), _t(R, 1000, 100, 100000)),
    SmeIndustry.SOFTWARE_IT: (_t(E, 100, 10, 300), _t(R, 1000, 50, 10000)),
    SmeIndustry.REAL_ESTATE_DEVELOPMENT: (_t(R, 1000, 100, 200000), _t(A, 5000, 2000, 10000)),
    SmeIndustry.PROPERTY_MANAGEMENT: (_t(E, 300, 100, 1000), _t(R, 1000, 500, 5000)),
    SmeIndustry.LEASING_BUSINESS_SERVICES: (_t(E, 100, 10, 300), _t(A, 8000, 100, 120000)),
    SmeIndustry.OTHER: (_t(E, 100, 10, 300),),
}


@dataclass(frozen=True, slots=True)
class Figures:
    """An enterprise's size figures: employees in persons, revenue and total assets in fen."""

    employees: int
    revenue_fen: int
    assets_fen: int

    def value(self, metric: Metric) -> int:
        """The figure for ``metric`` in the standard's unit (persons, or 万元 scaled to fen)."""
        if metric is Metric.EMPLOYEES:
            return self.employees
        return self.revenue_fen if metric is Metric.REVENUE else self.assets_fen


@dataclass(frozen=True, slots=True)
class Classification:
    """The size found and, for a large enterprise, why it is one."""

    industry: SmeIndustry
    size: Size
    reason: str


def _scale(metric: Metric, bound: int) -> int:
    """A bound in the standard's unit expressed in the unit ``Figures.value`` returns."""
    return bound if metric is Metric.EMPLOYEES else bound * FEN_PER_WAN


def _all_at_least(figures: Figures, rows: tuple[Threshold, ...], pick: str) -> bool:
    return all(figures.value(row.metric) >= _scale(row.metric, getattr(row, pick)) for row in rows)


def _describe(rows: tuple[Threshold, ...], pick: str) -> str:
    unit = {Metric.EMPLOYEES: " persons", Metric.REVENUE: " 万元", Metric.ASSETS: " 万元"}
    return ", ".join(f"{row.metric} ≥ {getattr(row, pick)}{unit[row.metric]}" for row in rows)


def classify(industry: SmeIndustry, figures: Figures) -> Classification:
    """Size of an enterprise in ``industry`` by the 2011 standard (large when every ceiling is reached)."""
    if figures.employees < 0 or figures.revenue_fen < 0 or figures.assets_fen < 0:
        raise ValueError("size figures cannot be negative")
    rows = SME_TABLE[industry]
    if _all_at_least(figures, rows, "sme_ceiling"):
        reason = f"large enterprise in {industry}: {_describe(rows, 'sme_ceiling')}"
        return Classification(industry, Size.LARGE, reason)
    if _all_at_least(figures, rows, "medium_floor"):
        return Classification(industry, Size.MEDIUM, f"medium: {_describe(rows, 'medium_floor')}")
    if _all_at_least(figures, rows, "small_floor"):
        return Classification(industry, Size.SMALL, f"small: {_describe(rows, 'small_floor')}")
    return Classification(industry, Size.MICRO, f"micro: below a small floor of {_describe(rows, 'small_floor')}")
