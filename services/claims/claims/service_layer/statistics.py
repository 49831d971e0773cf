"""Statistics queries: gather dated loan facts from the tables and hand them to the pure stats module."""

from __future__ import annotations

import csv
import io


from sqlalchemy.ext.asyncio import AsyncSession
from xinyidai_shared.clock import business_date
from xinyidai_shared.money import format_fen
from xinyidai_shared.exports import safe_cell

from claims.adapters import banks_repo, claims_repo, loans_repo
from claims.domain.stats import Figures, LoanHistory, Period, per_bank_and_city, ranking


async def figures_for(session: AsyncSession, period: Period) -> list[Figures]:
    """A row per admitted bank and one for the city, as true at the period's end."""
    loans, records = await loans_repo.status_facts(session, period.ends_on)
    by_loan: dict[str, LoanHistory] = {}
    for ln in loans:
        loss = (ln.loss_on, ln.principal_at_loss_fen) if ln.loss_on and ln.principal_at_loss_fen is not None else None
        by_loan[ln.loan_id] = LoanHistory(ln.bank_id, ln.principal_fen, ln.issued_on, loss=loss)
    for record in records:
        history = by_loan.get(record.loan_id)
        if history is None:
            continue
        target = history.repayments if record.kind == "repayment" else history.overdue
        target.append((record.as_of, record.amount_fen or 0))
    for paid in await claims_repo.paid_rows(session):
        if paid.loan_id in by_loan and paid.paid_at is not None:
            by_loan[paid.loan_id].compensation.append((business_date(paid.paid_at), paid.paid_fen or 0))
    return per_bank_and_city(list(by_loan.values()), period, await banks_repo.all_ids(session))


def _pct(bp: int | None) -> str | None:
    # Basis points as a percent with two decimals is the same text as fen as yuan: 1234 -> "12.34".
    return None if bp is None else format_fen(bp)


def as_json(row: Figures) -> dict:
    """A figures row with yuan strings and percentages (two decimals)."""
    return {
        "scope": row.scope, "period": row.period, "loans_issued": row.loans_issued,
        "principal_issued": format_fen(row.principal_issued_fen),
        "previous_principal_issued": format_fen(row.previous_principal_issued_fen),
        "growth_pct": _pct(row.growth_bp), "outstanding": format_fen(row.outstanding_fen),
        "overdue": format_fen(row.overdue_fen), "overdue_ratio_pct": _pct(row.overdue_ratio_bp),
        "loss": format_fen(row.loss_fen), "loss_ratio_pct": _pct(row.loss_ratio_bp),
        "compensation_received": format_fen(row.compensation_fen),
    }


def as_csv(rows: list[Figures]) -> str:
    """The same rows as CSV (UTF-8, header first)."""
    out = io.StringIO()
    data = [as_json(r) for r in rows]
    writer = csv.DictWriter(out, fieldnames=list(data[0]) if data else ["scope"], lineterminator="\n")
    writer.writeheader()
    for item in data:
        writer.writerow({k: "" if v is None else safe_cell(v) for k, v in item.items()})
    return out.getvalue()


def ranked(rows: list[Figures]) -> list[dict]:
    """The bank ranking with each bank's figures."""
    return [{"rank": rank, **as_json(row)} for rank, row in ranking(rows)]



