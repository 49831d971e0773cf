"""Loans and their status history: every loan query lives here; nothing here commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from claims.domain.classification import Category
from claims.domain.eligibility import LoanFacts, LoanType, Purpose, RuleCheck
from claims.domain.loan import Loan, LoanState
from claims.domain.rates import AppliedRate
from claims.domain.registration import Application

from .tables import loan as T
from .tables import loan_status as S

_IN_LIMIT = 5000  # values in one IN list: well inside SQLite's and PostgreSQL's bound-parameter limits
_MUTABLE = (
    "outstanding_fen", "days_past_due", "overdue_principal_fen", "category", "category_flagged", "state",
    "loss_on", "principal_at_loss_fen", "malicious_default_on", "last_status_on",
)


def _checks_json(checks: tuple[RuleCheck, ...]) -> str:
    return orjson.dumps(checks).decode()  # orjson writes dataclasses field by field, in order


def _facts(row: Any) -> LoanFacts:
    return LoanFacts(
        uscc=row.uscc, rate_ppm=row.rate_ppm, issued_on=row.issued_on, matures_on=row.matures_on,
        purpose_category=Purpose(row.purpose_category), loan_type=LoanType(row.loan_type),
        through_platform=row.through_platform, first_loan=row.first_loan,
    )


def _row_to_loan(row: Any) -> Loan:
    facts = _facts(row)
    applied = AppliedRate(row.reference_source, row.reference_effective_on, row.reference_rate_ppm, row.cap_ppm)
    return Loan(
        loan_id=row.loan_id, bank_id=row.bank_id, bank_loan_no=row.bank_loan_no, principal_fen=row.principal_fen,
        facts=facts, purpose=row.purpose, product_id=row.product_id, applied_rate=applied,
        policy_profile=row.policy_profile, checks=tuple(RuleCheck(**c) for c in orjson.loads(row.checks)),
        registered_at=row.registered_at, outstanding_fen=row.outstanding_fen, days_past_due=row.days_past_due,
        overdue_principal_fen=row.overdue_principal_fen, category=Category(row.category),
        category_flagged=row.category_flagged, state=LoanState(row.state), loss_on=row.loss_on,
        principal_at_loss_fen=row.principal_at_loss_fen, malicious_default_on=row.malicious_default_on,
        last_status_on=row.last_status_on,
    )


def _mutable_values(ln: Loan) -> dict[str, Any]:
    values = {name: getattr(ln, name) for name in _MUTABLE}
    values["category"], values["state"] = ln.category.value, ln.state.value
    return values


def _row(ln: Loan) -> dict[str, Any]:
    f, a = ln.facts, ln.applied_rate
    return dict(
        loan_id=ln.loan_id, bank_id=ln.bank_id, bank_loan_no=ln.bank_loan_no, uscc=f.uscc, product_id=ln.product_id,
        principal_fen=ln.principal_fen, rate_ppm=f.rate_ppm, issued_on=f.issued_on, matures_on=f.matures_on,
        purpose=ln.purpose, purpose_category=f.purpose_category.value, loan_type=f.loan_type.value,
        through_platform=f.through_platform, first_loan=f.first_loan, reference_source=a.source,
        reference_effective_on=a.effective_on, reference_rate_ppm=a.reference_rate_ppm, cap_ppm=a.cap_ppm,
        policy_profile=ln.policy_profile, covered=ln.covered, checks=_checks_json(ln.checks),
        registered_at=ln.registered_at, **_mutable_values(ln),
    )


async def add(session: AsyncSession, ln: Loan) -> None:
    """Insert a newly registered loan (the unique bank loan number is the backstop against doubles)."""
    # Parameters apart from the statement: one cached INSERT for every registration (the hottest write).
    await session.execute(insert(T), _row(ln))


async def add_many(session: AsyncSession, loans: list[Loan]) -> None:
    """Insert a batch of newly registered loans in one statement (executemany)."""
    if loans:
        await session.execute(insert(T), [_row(ln) for ln in loans])


# Built once with bound parameters: the statement is cached and only the values travel per call.
_BY_BANK_NO = select(T).where(T.c.bank_id == bindparam("bank_id"), T.c.bank_loan_no == bindparam("bank_loan_no"))


_BY_BANK_NO_LOCKED = _BY_BANK_NO.with_for_update()


async def by_bank_no(session: AsyncSession, bank_id: str, bank_loan_no: str, *, for_update: bool = False) -> Loan | None:
    """The loan a bank registered under its own number; ``for_update`` locks the row on PostgreSQL (SQLite
    writers are serialised already)."""
    statement = _BY_BANK_NO_LOCKED if for_update else _BY_BANK_NO
    row = (await session.execute(statement, {"bank_id": bank_id, "bank_loan_no": bank_loan_no})).first()
    return _row_to_loan(row) if row else None


_DECLARED = (T.c.loan_id, T.c.covered, T.c.bank_loan_no, T.c.uscc, T.c.principal_fen, T.c.rate_ppm, T.c.issued_on,
             T.c.matures_on, T.c.purpose_category, T.c.loan_type, T.c.through_platform, T.c.first_loan, T.c.purpose,
             T.c.product_id)
_BY_BANK_NOS = select(*_DECLARED).where(T.c.bank_id == bindparam("bank_id"),
                                        T.c.bank_loan_no.in_(bindparam("numbers", expanding=True)))


async def declared_by_bank_nos(session: AsyncSession, bank_id: str,
                               numbers: list[str]) -> dict[str, tuple[str, bool, Application]]:
    """What a bank declared under any of these numbers, by number: (loan_id, covered, the declaration); one
    query for a batch, and only the declared columns (a file sent twice reads them all)."""
    found: dict[str, tuple[str, bool, Application]] = {}
    for start in range(0, len(numbers), _IN_LIMIT):
        part = numbers[start:start + _IN_LIMIT]
        for row in (await session.execute(_BY_BANK_NOS, {"bank_id": bank_id, "numbers": part})).all():
            application = Application(row.bank_loan_no, row.principal_fen, _facts(row), row.purpose, row.product_id)
            found[row.bank_loan_no] = (row.loan_id, row.covered, application)
    return found


_GET = select(T).where(T.c.loan_id == bindparam("loan_id"))
_GET_LOCKED = _GET.with_for_update()
_SAVE = update(T).where(T.c.loan_id == bindparam("key_loan_id"))  # SET columns come from the parameters


async def get(session: AsyncSession, loan_id: str, *, for_update: bool = False) -> Loan | None:
    """One loan; ``for_update`` locks the row on PostgreSQL (SQLite writers are serialised already)."""
    row = (await session.execute(_GET_LOCKED if for_update else _GET, {"loan_id": loan_id})).first()
    return _row_to_loan(row) if row else None


async def save(session: AsyncSession, ln: Loan, *, source: str, at: datetime) -> None:
    """Write the loan's status fields and append its new status records."""
    await session.execute(_SAVE, {"key_loan_id": ln.loan_id, **_mutable_values(ln)})
    if ln.new_records:
        await session.execute(insert(S), [
            {"loan_id": ln.loan_id, "kind": r.kind, "as_of": r.as_of, "amount_fen": r.amount_fen,
             "days_past_due": r.days_past_due, "category": r.category, "flagged": r.flagged, "detail": r.detail,
             "source": source, "ref": r.ref, "recorded_at": at}
            for r in ln.new_records
        ])
        ln.new_records.clear()


async def record_by_ref(session: AsyncSession, loan_id: str, ref: str) -> Any | None:
    """A status record of this loan carrying the bank's reference, if any."""
    return (await session.execute(select(S).where(S.c.loan_id == loan_id, S.c.ref == ref))).first()


async def last_record(session: AsyncSession, loan_id: str, kind: str) -> Any | None:
    """The latest status record of one kind for this loan, if any."""
    query = select(S).where(S.c.loan_id == loan_id, S.c.kind == kind).order_by(S.c.seq.desc()).limit(1)
    return (await session.execute(query)).first()


async def active_numbers(session: AsyncSession, bank_id: str, *, issued_to: date) -> list[str]:
    """The bank's own numbers of its active loans issued on or before a date."""
    query = select(T.c.bank_loan_no).where(T.c.bank_id == bank_id, T.c.state == LoanState.ACTIVE.value,
                                           T.c.issued_on <= issued_to)
    return list((await session.execute(query)).scalars())


async def count_for_enterprise(session: AsyncSession, uscc: str, *, registered_before: datetime | None = None) -> int:
    """How many loans of this enterprise the registry holds (any bank, counted up to 10), optionally earlier ones.

    The first-loan rule only needs "any?", so the count stops at 10 and stays cheap for busy enterprises.
    """
    inner = select(T.c.loan_id).where(T.c.uscc == uscc)
    if registered_before is not None:
        inner = inner.where(T.c.registered_at < registered_before)
    query = select(func.count()).select_from(inner.limit(10).subquery())
    return (await session.execute(query)).scalar_one()


async def list_for_bank(session: AsyncSession, bank_id: str | None, *, limit: int, offset: int) -> list[Loan]:
    """Loans, newest first; all banks when ``bank_id`` is None."""
    query = select(T).order_by(T.c.registered_at.desc(), T.c.loan_id).limit(limit).offset(offset)
    if bank_id is not None:
        query = query.where(T.c.bank_id == bank_id)
    return [_row_to_loan(r) for r in (await session.execute(query)).all()]


async def history(session: AsyncSession, loan_id: str) -> list[dict[str, Any]]:
    """The loan's status reports in arrival order."""
    rows = (await session.execute(select(S).where(S.c.loan_id == loan_id).order_by(S.c.seq))).all()
    return [dict(r._mapping) for r in rows]


async def status_facts(session: AsyncSession, issued_to: date) -> tuple[list[Any], list[Any]]:
    """Loans issued up to a date and all their repayment/overdue records (statistics input)."""
    loans = (await session.execute(
        select(T.c.loan_id, T.c.bank_id, T.c.principal_fen, T.c.issued_on, T.c.loss_on, T.c.principal_at_loss_fen)
        .where(T.c.issued_on <= issued_to)
    )).all()
    records = (await session.execute(
        select(S.c.loan_id, S.c.kind, S.c.as_of, S.c.amount_fen)
        .where(S.c.kind.in_(("repayment", "overdue")), S.c.as_of <= issued_to)
    )).all()
    return loans, records


async def lenders(session: AsyncSession, uscc: str) -> dict[str, list[str]]:
    """Banks with active loans to an enterprise, each with its own loan numbers (who hears its news)."""
    query = (select(T.c.bank_id, T.c.bank_loan_no).where(T.c.uscc == uscc, T.c.state == LoanState.ACTIVE.value)
             .order_by(T.c.bank_id, T.c.bank_loan_no))
    found: dict[str, list[str]] = {}
    for bank_id, number in await session.execute(query):
        found.setdefault(bank_id, []).append(number)
    return found


async def bank_loan_no(session: AsyncSession, loan_id: str) -> str | None:
    """The bank's own number of a loan."""
    return (await session.execute(select(T.c.bank_loan_no).where(T.c.loan_id == loan_id))).scalar_one_or_none()
