"""The meeting agenda of a review batch: one row per claim with what the group decides on (pure)."""

from __future__ import annotations

from typing import Any

from .labels import LABELS

HEADER = ("序号", "代偿申请", "银行", "借款企业", "损失本金（元）", "拟代偿（元）", "代偿比例", "当前环节", "资格检查", "初审意见")
# A spreadsheet runs a cell that begins with one of these as a formula: such text gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _eligibility(claim: dict) -> str:
    rules = claim.get("eligibility") or []
    failed = [r["rule"] for r in rules if not r.get("passed")]
    flagged = [r["rule"] for r in rules if r.get("flagged")]
    if failed:
        return "不符合：" + "、".join(failed)
    return "符合" + (f"（提示：{'、'.join(flagged)}）" if flagged else "")


def _preliminary(claim: dict) -> str:
    step = next((s for s in claim.get("steps", []) if s.get("step") == "preliminary_review"), None)
    if step is None:
        return ""
    decision = LABELS.get(step["decision"], (step["decision"], ""))[0]
    return f"{decision} {step.get('note') or ''}".strip()


def agenda_rows(claims: list[dict]) -> list[tuple[Any, ...]]:
    """Rows in the claims' submission order (oldest first), every text cell neutralised."""
    ordered = sorted(claims, key=lambda c: c.get("submitted_at") or "")
    rows = []
    for n, c in enumerate(ordered, start=1):
        expected = c.get("expected") or {}
        ratio = f"{expected.get('ratio_bp', 0) / 100:.2f}%"
        rows.append(tuple(safe_cell(v) for v in (
            n, c["claim_id"], c["bank_id"], c["uscc"], c["principal_at_loss"], expected.get("expected", ""), ratio,
            LABELS.get(c["state"], (c["state"], ""))[0], _eligibility(c), _preliminary(c),
        )))
    return rows
