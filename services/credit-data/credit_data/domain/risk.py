"""Risk rules: early warnings read from a fresh profile, a grade change or a new dishonesty record.

Each hit names its rule and a ``trigger_key`` (the month or record that tripped it), so running the rules
again (daily, or on a resent file) finds the same hit and raises no second alert for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .periods import format_period
from .profiles import EnterpriseProfile
from .records import UTILITY_SOURCES
from .scorecard import LENDING_GRADES, is_downgrade

ALERT_NAMESPACE = uuid.UUID("6f1d3c1e-5a8b-4f4e-9f51-2f0c8f7f0a01")


@dataclass(frozen=True, slots=True)
class RiskHit:
    rule: str
    severity: str  # "info" | "warning" | "critical"
    detail: str
    trigger_key: str

    def alert_id(self, uscc: str) -> str:
        """A stable id: the same hit for the same enterprise is always the same alert."""
        return str(uuid.uuid5(ALERT_NAMESPACE, f"{uscc}|{self.rule}|{self.trigger_key}"))


def profile_hits(profile: EnterpriseProfile) -> list[RiskHit]:
    """Rules on the data: utility arrears 2+ months, 3 zero-use months, headcount -30%, new tax arrears."""
    hits: list[RiskHit] = []
    for source, sp in sorted(profile.sources.items()):
        if sp.latest_period is None:
            continue
        month = format_period(sp.latest_period)
        if source in UTILITY_SOURCES and sp.arrears_run >= 2:
            detail = f"{source} arrears for {sp.arrears_run} consecutive months up to {month}"
            hits.append(RiskHit("UTILITY_ARREARS_2M", "warning", detail, f"{source}:{month}"))
        if source in UTILITY_SOURCES and sp.zero_use_run >= 3:
            detail = f"no {source} consumption for {sp.zero_use_run} months up to {month}"
            hits.append(RiskHit("ZERO_USE_3M", "warning", detail, f"{source}:{month}"))
        change = sp.headcount_change_3m_bp
        if source == "social_insurance" and change is not None and change <= -3000:
            detail = f"insured headcount down {-change / 100:.1f}% in the 3 months to {month}"
            hits.append(RiskHit("HEADCOUNT_DROP_30", "warning", detail, f"{source}:{month}"))
        if source == "tax" and sp.arrears_fen > 0 and sp.arrears_run == 1:
            hits.append(RiskHit("NEW_TAX_ARREARS", "critical", f"new tax arrears in {month}", f"tax:{month}"))
    return hits


def grade_hit(previous: str | None, current: str, valid_from_key: str) -> RiskHit | None:
    """A downgrade between two real grades is a warning (critical when it falls out of lending grades)."""
    if not is_downgrade(previous, current):
        return None
    severity = "critical" if previous in LENDING_GRADES and current not in LENDING_GRADES else "warning"
    return RiskHit("GRADE_DOWNGRADE", severity, f"grade fell from {previous} to {current}", valid_from_key)


def dishonesty_hit(record_id: str, reason: str) -> RiskHit:
    """Every new dishonesty record is critical news for the banks lending to the enterprise."""
    return RiskHit("NEW_DISHONESTY", "critical", f"dishonesty record: {reason}", record_id)
