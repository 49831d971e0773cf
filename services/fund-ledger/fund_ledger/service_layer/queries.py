"""Reading the books: balances at any instant, fund summary, bank positions, dues, journal, leverage."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from xinyidai_shared.errors import Invalid, NotFound
from xinyidai_shared.money import apply_fraction

from ..adapters.tables import account, bank_position, compensation, due, loan_exposure, transfer
from ..domain.accounts import CASH, normal_balance, normal_side

JOURNAL_PAGE_MAX = 500


async def balance_at(session: AsyncSession, code: str, at: datetime | None) -> dict:
    """An account's normal-side balance now (running totals) or at an instant (summed from the journal)."""
    normal_side(code)
    if at is None:
        row = (await session.execute(select(account).where(account.c.code == code))).first()
        debits, credits = (row.debits_posted_fen, row.credits_posted_fen) if row else (0, 0)
    else:
        if at.tzinfo is None:
            raise Invalid("TIME_NOT_AWARE", "give the instant with its zone, e.g. 2026-12-31T16:00:00Z")
        posted = and_(transfer.c.status == "posted", transfer.c.posted_at <= at)
        debits = int((await session.execute(select(func.coalesce(func.sum(transfer.c.amount_fen), 0)).where(posted, transfer.c.debit_account == code))).scalar_one())
        credits = int((await session.execute(select(func.coalesce(func.sum(transfer.c.amount_fen), 0)).where(posted, transfer.c.credit_account == code))).scalar_one())
    return {"account": code, "side": str(normal_side(code)), "balance_fen": normal_balance(code, debits, credits),
            "debits_fen": debits, "credits_fen": credits, "at": at}


async def fund_summary(session: AsyncSession) -> dict:
    """The fund's cash, the compensations waiting for it, and what is still owed to it."""
    cash = (await balance_at(session, CASH, None))["balance_fen"]
    waiting = (await session.execute(
        select(func.count(), func.coalesce(func.sum(compensation.c.amount_fen), 0)).where(compensation.c.status == "waiting")
    )).one()
    paid = (await session.execute(
        select(func.coalesce(func.sum(compensation.c.amount_fen), 0)).where(compensation.c.status == "paid")
    )).scalar_one()
    owed = (await session.execute(select(func.coalesce(func.sum(due.c.amount_fen - due.c.settled_fen), 0)))).scalar_one()
    # PostgreSQL sums BIGINT into NUMERIC: back to int fen before anything formats it.
    return {"cash_fen": cash, "waiting_count": waiting[0], "waiting_fen": int(waiting[1]), "compensation_paid_fen": int(paid),
            "dues_outstanding_fen": int(owed)}


async def bank_position_of(session: AsyncSession, bank_id: str, today: date) -> dict:
    """What one bank has received, how much cap it has left and what it owes the fund."""
    row = (await session.execute(select(bank_position).where(bank_position.c.bank_id == bank_id))).first()
    dues = await list_dues(session, party=bank_id, today=today)
    waiting = (await session.execute(
        select(func.coalesce(func.sum(compensation.c.amount_fen), 0))
        .where(compensation.c.bank_id == bank_id, compensation.c.status == "waiting")
    )).scalar_one()
    waiting = int(waiting)
    if row is None and not dues:
        raise NotFound("BANK_UNKNOWN", f"the fund has no record of bank {bank_id!r}")
    cap = row.cap_fen if row else None
    committed = row.committed_fen if row else 0
    return {
        "bank_id": bank_id, "cap_fen": cap, "committed_fen": committed, "paid_fen": row.paid_fen if row else 0,
        "waiting_fen": waiting, "cap_left_fen": None if cap is None else cap - committed,
        "clawed_back_fen": row.clawed_back_fen if row else 0, "disqualified": bool(row and row.disqualified),
        "owed_fen": sum(d["outstanding_fen"] for d in dues),
        "overdue_fen": sum(d["outstanding_fen"] for d in dues if d["overdue"]), "dues": dues,
    }


async def list_dues(session: AsyncSession, *, today: date, party: str | None = None, kind: str | None = None,
                    overdue_only: bool = False) -> list[dict]:
    """Amounts due to the fund; ``overdue`` means past its date and not fully paid."""
    stmt = select(due).order_by(due.c.due_on, due.c.id)
    if party:
        stmt = stmt.where(due.c.party == party)
    if kind:
        stmt = stmt.where(due.c.kind == kind)
    docs = [due_doc(row, today) for row in (await session.execute(stmt)).all()]
    return [d for d in docs if d["overdue"]] if overdue_only else docs


def due_doc(row, today: date) -> dict:  # noqa: ANN001 - a row of the due table
    """One amount due as the API shows it; ``overdue`` means past its date and not fully paid."""
    outstanding = row.amount_fen - row.settled_fen
    return {"id": row.id, "kind": row.kind, "party": row.party, "amount_fen": row.amount_fen,
            "settled_fen": row.settled_fen, "outstanding_fen": outstanding, "due_on": row.due_on,
            "overdue": outstanding > 0 and row.due_on < today, "year": row.year, "basis_fen": row.basis_fen,
            "rate_bp": row.rate_bp, "reference": row.reference}


async def journal(session: AsyncSession, *, account_code: str | None = None, kind: str | None = None,
                  bank_id: str | None = None, claim_id: str | None = None, status: str | None = None,
                  since: datetime | None = None, until: datetime | None = None, after_seq: int = 0,
                  limit: int = 100) -> tuple[list, int | None]:
    """One page of transfers in journal order and the cursor of the next page (None at the end)."""
    if not 1 <= limit <= JOURNAL_PAGE_MAX:
        raise Invalid("LIMIT_OUT_OF_RANGE", f"limit must be 1..{JOURNAL_PAGE_MAX}")
    if any(t is not None and t.tzinfo is None for t in (since, until)):
        raise Invalid("TIME_NOT_AWARE", "give since/until with their zone, e.g. 2026-01-01T00:00:00+08:00")
    stmt = select(transfer).where(transfer.c.seq > after_seq).order_by(transfer.c.seq).limit(limit + 1)
    if account_code:
        stmt = stmt.where(or_(transfer.c.debit_account == account_code, transfer.c.credit_account == account_code))
    for column, value in ((transfer.c.kind, kind), (transfer.c.bank_id, bank_id), (transfer.c.claim_id, claim_id), (transfer.c.status, status)):
        if value:
            stmt = stmt.where(column == value)
    if since:
        stmt = stmt.where(transfer.c.created_at >= since)
    if until:
        stmt = stmt.where(transfer.c.created_at < until)
    rows = (await session.execute(stmt)).all()
    page = rows[:limit]
    return page, (page[-1].seq if len(rows) > limit else None)


async def leverage(session: AsyncSession) -> dict:
    """Covered principal outstanding ÷ fund cash (docs/DESIGN.md §2 controls): how many times cash is lent against."""
    cash = (await balance_at(session, CASH, None))["balance_fen"]
    outstanding, loans = (await session.execute(
        select(func.coalesce(func.sum(loan_exposure.c.outstanding_fen), 0), func.count())
        .where(loan_exposure.c.closed.is_(False), loan_exposure.c.outstanding_fen > 0)
    )).one()
    outstanding = int(outstanding)
    ratio = None
    if cash > 0:
        # Exact decimal text to four places, rounded by the system's one rule, without floats.
        scaled = apply_fraction(outstanding, 10_000, cash)
        ratio = f"{scaled // 10_000}.{scaled % 10_000:04d}"
    return {"covered_principal_outstanding_fen": outstanding, "covered_loans": loans, "cash_fen": cash, "leverage": ratio}
