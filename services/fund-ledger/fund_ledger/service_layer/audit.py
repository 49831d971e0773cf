"""The yearly audit pack (art.18): statement, journal CSV, cash series for the PDF chart, invariants."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from xinyidai_shared.audit import trail_csv
from xinyidai_shared.clock import SHANGHAI, business_date, today_shanghai
from xinyidai_shared.money import format_fen
from xinyidai_shared.exports import safe_row

from ..adapters import books
from ..adapters.tables import account, bank_position, compensation, due, messaging
from ..domain.accounts import CASH, Transfer, TransferStatus
from ..domain.verify import StoredAccount, StoredBank, StoredCompensation, StoredDue, check_all

JOURNAL_COLUMNS = ("id", "kind", "status", "created_at", "posted_at", "debit_account", "credit_account", "amount_yuan",
                   "bank_id", "claim_id", "loan_id", "due_id", "reverses", "memo")


@dataclass(frozen=True)
class AuditPack:
    year: int
    statement: dict
    journal_csv: str
    cash_by_day: list[tuple[date, int]]
    audit_trail_csv: str = ""  # who did what in the fund's books that year (every write by a person or client)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The Asia/Shanghai calendar year as a half-open UTC interval."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    return start, end


async def violations(session: AsyncSession) -> list[str]:
    """Every invariant the books must hold, recomputed from the journal (empty when sound)."""
    transfers = await books.all_transfers(session)
    accounts = [StoredAccount(r.code, r.debits_posted_fen, r.credits_posted_fen) for r in (await session.execute(select(account))).all()]
    banks = [StoredBank(r.bank_id, r.cap_fen, r.committed_fen, r.paid_fen) for r in (await session.execute(select(bank_position))).all()]
    comps = [StoredCompensation(r.claim_id, r.bank_id, r.amount_fen, r.status, r.transfer_id)
             for r in (await session.execute(select(compensation))).all()]
    dues = [StoredDue(r.id, r.kind, r.party, r.amount_fen, r.settled_fen) for r in (await session.execute(select(due))).all()]
    return check_all(transfers, accounts, banks, comps, dues, await unhandled_dead_letters(session))


async def unhandled_dead_letters(session: AsyncSession) -> list[tuple[str, str, str]]:
    """(event id, type, reason) of events parked and never handled since; replaying one that then succeeds
    clears it. Messages that were not even an envelope have no event id: they are logged and kept in the
    dead letters for operators, but name no money to book."""
    parked, inbox = messaging.dead_letter, messaging.inbox
    rows = (await session.execute(
        select(parked.c.event_id, parked.c.raw, parked.c.reason)
        .where(parked.c.event_id.is_not(None), parked.c.event_id.not_in(select(inbox.c.event_id)))
        .order_by(parked.c.id)
    )).all()
    return [(row.event_id, _event_type(row.raw), row.reason) for row in rows]


def _event_type(raw: str) -> str:
    try:
        return str(orjson.loads(raw).get("type", "?"))
    except (orjson.JSONDecodeError, AttributeError):
        return "?"


def _cash_delta(t: Transfer) -> int:
    if t.debit_account == CASH:
        return t.amount_fen
    if t.credit_account == CASH:
        return -t.amount_fen
    return 0


def cash_series(transfers: list[Transfer], year: int, today: date) -> list[tuple[date, int]]:
    """The fund's closing cash for every day of the year up to ``today`` (the PDF's chart)."""
    start, end = year_bounds(year)
    posted = [t for t in transfers if t.status is TransferStatus.POSTED and t.posted_at is not None]
    balance = sum(_cash_delta(t) for t in posted if t.posted_at < start)
    moves: dict[date, int] = defaultdict(int)
    for t in posted:
        if start <= t.posted_at < end:
            moves[business_date(t.posted_at)] += _cash_delta(t)
    series, day = [], date(year, 1, 1)
    while day.year == year and (day <= today or not series):
        balance += moves.get(day, 0)
        series.append((day, balance))
        day += timedelta(days=1)
    return series


def journal_csv(transfers: list[Transfer]) -> str:
    """The journal as CSV, amounts as exact yuan text, instants as ISO UTC."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(JOURNAL_COLUMNS)
    for t in transfers:
        writer.writerow(safe_row([
            t.id, t.kind, t.status, t.created_at.isoformat(), t.posted_at.isoformat() if t.posted_at else "",
            t.debit_account, t.credit_account, format_fen(t.amount_fen), t.bank_id or "", t.claim_id or "",
            t.loan_id or "", t.due_id or "", t.reverses or "", t.memo,
        ]))  # fmt: skip
    return out.getvalue()


async def build_audit_pack(session: AsyncSession, year: int) -> AuditPack:
    """Everything the yearly special audit needs, from the database as it stands."""
    transfers = await books.all_transfers(session)
    start, end = year_bounds(year)
    in_year = [t for t in transfers if start <= (t.posted_at or t.created_at) < end]
    series = cash_series(transfers, year, today_shanghai())
    inflows: dict[str, int] = defaultdict(int)
    outflows: dict[str, int] = defaultdict(int)
    by_bank: dict[str, int] = defaultdict(int)
    for t in in_year:
        if t.status is not TransferStatus.POSTED:
            continue
        delta = _cash_delta(t)
        if delta > 0:
            inflows[str(t.kind)] += delta
        elif delta < 0:
            outflows[str(t.kind)] -= delta
            if t.bank_id:
                by_bank[t.bank_id] += -delta
    opening = sum(_cash_delta(t) for t in transfers if t.status is TransferStatus.POSTED and t.posted_at < start)
    problems = await violations(session)
    trail, trail_rows = await trail_csv(session, messaging.audit, since=start, until=end)
    recognised: dict[str, int] = defaultdict(int)
    for t in in_year:
        if t.status is TransferStatus.POSTED and t.debit_account.startswith("due:"):
            recognised[t.debit_account.split(":")[1]] += t.amount_fen
    owed_at_end: dict[str, int] = defaultdict(int)
    for t in transfers:
        if t.status is TransferStatus.POSTED and t.posted_at < end:
            for code, sign in ((t.debit_account, 1), (t.credit_account, -1)):
                if code.startswith("due:"):
                    owed_at_end[code.split(":")[1]] += sign * t.amount_fen
    statement = {
        "year": year,
        "opening_cash_fen": opening,
        "closing_cash_fen": series[-1][1],
        "inflows_fen": dict(sorted(inflows.items())),
        "outflows_fen": dict(sorted(outflows.items())),
        "compensation_by_bank_fen": dict(sorted(by_bank.items())),
        "dues_recognised_fen": dict(sorted(recognised.items())),
        "dues_outstanding_at_year_end_fen": {k: v for k, v in sorted(owed_at_end.items()) if v},
        "transfers": len(in_year),
        "lowest_cash_fen": min(v for _, v in series),
        "violations": problems,
        "audit_trail_rows": trail_rows,
    }
    return AuditPack(year=year, statement=statement, journal_csv=journal_csv(in_year), cash_by_day=series,
                     audit_trail_csv=trail)
