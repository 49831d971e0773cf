"""Malicious-default reports as the credit office and the enterprise see them (pure)."""

from __future__ import annotations

from typing import Any

REPORT_STATES = ("pending", "confirmed", "rejected", "annulled")


def open_dispute(report: dict[str, Any]) -> dict[str, Any] | None:
    """The enterprise's dispute of this report that the credit office has not decided yet, if any."""
    return next((d for d in report.get("disputes", []) if d.get("status") == "open"), None)


def awaiting_dispute_decision(reports: Any) -> list[dict[str, Any]]:
    """Public (confirmed) reports whose enterprise disputes them: the office decides before anything else."""
    return [r for r in reports if open_dispute(r) is not None] if isinstance(reports, list) else []


def disputes_to_decide(body: Any) -> int:
    """The to-do count of open disputes of public records."""
    return len(awaiting_dispute_decision(body))
