"""Chart configurations (Chart.js) built from service figures (pure). Amounts stay exact strings until here,
where they become numbers of yuan for drawing only; every chart has a table of the exact figures beside it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

BRAND, BLUE, GREY, GREEN, AMBER = "#a4161a", "#0a58b0", "#8c959f", "#1a7f37", "#8a5a00"


def _num(value: Any) -> float:
    """Yuan string -> number for drawing (never stored, never summed again)."""
    return float(Decimal(str(value or "0")))


def _t(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def rating_chart(history: list[dict], lang: str) -> dict | None:
    """Score over time, one point per rating (oldest first)."""
    points = sorted((r for r in history if r.get("score") is not None), key=lambda r: r["valid_from"])
    if not points:
        return None
    return {
        "type": "line",
        "data": {"labels": [str(r["valid_from"])[:10] for r in points],
                 "datasets": [{"label": _t(lang, "信用分", "Score"), "data": [r["score"] for r in points],
                               "borderColor": BRAND, "stepped": True}]},
        "options": {"scales": {"y": {"suggestedMin": 400, "suggestedMax": 900}}},
    }


def month_ends(today: date, months: int = 12) -> list[date]:
    """The last day of each of the ``months`` months before this one, oldest first, then today."""
    ends, first = [], today.replace(day=1)
    for _ in range(months):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return sorted(ends) + [today]


def cash_series(days: list[date], balances: list[dict]) -> list[tuple[str, Decimal]]:
    """(day, cash at the end of that day) from the ledger's balance answers, in the same order."""
    return [(d.isoformat(), Decimal(str(b["balance"]))) for d, b in zip(days, balances, strict=True)]


def cash_chart(series: list[tuple[str, Decimal]], lang: str) -> dict | None:
    if not series:
        return None
    return {"type": "line", "data": {"labels": [d for d, _ in series], "datasets": [
        {"label": _t(lang, "现金余额（元）", "Cash (yuan)"), "data": [_num(v) for _, v in series], "borderColor": BLUE,
         "fill": False, "stepped": True}]}}


def caps_chart(positions: list[dict], lang: str) -> dict | None:
    """Paid and waiting per bank, stacked, against the bank's cap."""
    if not positions:
        return None
    labels = [p["bank_id"] for p in positions]
    return {"type": "bar", "data": {"labels": labels, "datasets": [
        {"label": _t(lang, "已代偿", "Paid"), "data": [_num(p["paid"]) for p in positions], "backgroundColor": BRAND, "stack": "used"},
        {"label": _t(lang, "待支付", "Waiting"), "data": [_num(p["waiting"]) for p in positions], "backgroundColor": AMBER, "stack": "used"},
        {"label": _t(lang, "代偿上限", "Cap"), "data": [_num(p["cap"]) for p in positions], "backgroundColor": GREY, "stack": "cap"},
    ]}, "options": {"indexAxis": "y"}}


AGE_BUCKETS = ((0, ("未到期", "Not yet due")), (1, ("逾期1–30天", "1–30 days late")), (31, ("逾期31–90天", "31–90 days late")),
               (91, ("逾期90天以上", "over 90 days late")))


def due_age_days(due: dict, today: date) -> int:
    """Days past the due date (0 when not yet due)."""
    due_on = date.fromisoformat(str(due["due_on"])[:10])
    return max(0, (today - due_on).days)


def dues_by_age(dues: list[dict], today: date) -> list[tuple[tuple[str, str], Decimal, int]]:
    """Outstanding amounts and counts per age bucket."""
    totals = [[label, Decimal(0), 0] for _, label in AGE_BUCKETS]
    for d in dues:
        outstanding = Decimal(str(d.get("outstanding") or "0"))
        if outstanding <= 0:
            continue
        age = due_age_days(d, today)
        index = max(i for i, (start, _) in enumerate(AGE_BUCKETS) if age >= start)
        totals[index][1] += outstanding
        totals[index][2] += 1
    return [(label, amount, count) for label, amount, count in totals]


def dues_chart(buckets: list[tuple[tuple[str, str], Decimal, int]], lang: str) -> dict | None:
    if not any(count for _, _, count in buckets):
        return None
    return {"type": "bar", "data": {"labels": [_t(lang, *label) for label, _, _ in buckets], "datasets": [
        {"label": _t(lang, "未收金额（元）", "Outstanding (yuan)"), "data": [_num(a) for _, a, _ in buckets],
         "backgroundColor": [GREEN, AMBER, BRAND, BRAND]}]}}


def ranking_chart(rows: list[dict], value_key: str, label: tuple[str, str], lang: str) -> dict | None:
    """One bar per bank, in the ranking's order."""
    if not rows:
        return None
    return {"type": "bar", "data": {"labels": [r.get("scope", "") for r in rows], "datasets": [
        {"label": _t(lang, *label), "data": [_num(r.get(value_key)) for r in rows], "backgroundColor": BLUE}]},
        "options": {"indexAxis": "y"}}
