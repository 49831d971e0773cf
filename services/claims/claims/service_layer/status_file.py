"""The monthly bulk status report: one CSV for all of a bank's loans; good rows apply, bad rows are reported.

Columns (header row required, UTF-8): ``bank_loan_no, as_of, days_past_due, overdue_principal, category,
repaid, repayment_ref, settled``. Only ``bank_loan_no`` and ``as_of`` are mandatory; an empty cell means
"nothing to report". Each row is checked and applied to its loan on its own: a bad row changes nothing
and is listed with its line number and reason, and the rows around it still apply.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta
from typing import Any

import orjson
from sqlalchemy import insert, select
from xinyidai_shared.errors import Conflict, DomainError, Invalid
from xinyidai_shared.money import MoneyFormatError, parse_yuan
from xinyidai_shared.text import identifier_problem
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import loans_repo
from claims.adapters.tables import status_file as SF
from claims.domain.classification import Category
from claims.domain.dates import add_months
from claims.domain.loan import Loan, LoanState

from .deps import Deps

COLUMNS = ("bank_loan_no", "as_of", "days_past_due", "overdue_principal", "category", "repaid", "repayment_ref", "settled")


class RowError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def _read(text: str) -> csv.DictReader:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("bank_loan_no", "as_of") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        raise Invalid("STATUS_FILE_HEADER", f"missing columns {missing}, unknown columns {unknown}; expected {list(COLUMNS)}")
    reader.fieldnames = header
    return reader


def _cell(row: dict[str, Any], name: str) -> str:
    return (row.get(name) or "").strip()


def _apply(loan: Loan, row: dict[str, Any], month: str) -> None:
    try:
        as_of = date.fromisoformat(_cell(row, "as_of"))
    except ValueError:
        raise RowError("AS_OF_INVALID", f"as_of {_cell(row, 'as_of')!r} is not a date") from None
    if as_of.isoformat()[:7] != month:
        raise RowError("AS_OF_OUTSIDE_MONTH", f"{as_of} is not in {month}")
    try:
        if _cell(row, "repaid"):
            loan.repay(parse_yuan(_cell(row, "repaid")), as_of, _ref(row, month))
        if _cell(row, "settled").lower() in ("true", "1", "yes"):
            if loan.state is not LoanState.SETTLED:  # a final repayment on the same row settles it already
                loan.settle(as_of)
            return
        if _cell(row, "days_past_due"):
            overdue = parse_yuan(_cell(row, "overdue_principal") or "0")
            loan.report_overdue(int(_cell(row, "days_past_due")), overdue, as_of)
        if _cell(row, "category"):
            loan.classify(Category(_cell(row, "category")), as_of)
    except (MoneyFormatError, ValueError) as exc:
        raise RowError("VALUE_INVALID", str(exc)) from None
    except DomainError as exc:
        raise RowError(exc.code, exc.detail) from None


def _ref(row: dict[str, Any], month: str) -> str:
    # Without the bank's own reference, one repayment line per loan and month is the natural key.
    ref = _cell(row, "repayment_ref")
    if ref and (problem := identifier_problem(ref)) is not None:
        raise RowError("REPAYMENT_REF_INVALID", f"repayment_ref {problem}")
    return ref or f"{month}:{_cell(row, 'bank_loan_no')}"


async def _drop_known_repayment(uow: UnitOfWork, loan: Loan, row: dict[str, Any], month: str) -> dict[str, Any]:
    """A repayment already recorded under the same reference is not applied twice."""
    if not _cell(row, "repaid"):
        return row
    earlier = await loans_repo.record_by_ref(uow.session, loan.loan_id, _ref(row, month))
    if earlier is None:
        return row
    try:
        same = (earlier.amount_fen, earlier.as_of.isoformat()) == (parse_yuan(_cell(row, "repaid")), _cell(row, "as_of"))
    except MoneyFormatError as exc:
        raise RowError("VALUE_INVALID", str(exc)) from None
    if not same:
        raise RowError("REPAYMENT_REF_REUSED", f"repayment {_ref(row, month)!r} was reported with other data")
    return {**row, "repaid": ""}


async def ingest(uow: UnitOfWork, deps: Deps, *, bank_id: str, month: str, content: bytes) -> dict:
    """Apply a monthly file once (the route replays the first report to the same file)."""
    file_hash = hashlib.sha256(content).hexdigest()
    earlier = (await uow.session.execute(select(SF.c.file_id).where(
        SF.c.bank_id == bank_id, SF.c.month == month, SF.c.file_hash == file_hash))).first()
    if earlier is not None:
        raise Conflict("STATUS_FILE_ALREADY_RECEIVED", f"this file for {month} was received as {earlier.file_id}",
                       file_id=earlier.file_id)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("STATUS_FILE_ENCODING", "the status file must be UTF-8 text") from None
    accepted, errors, seen = 0, [], set()
    for line, row in enumerate(_read(text), start=2):
        no = _cell(row, "bank_loan_no")
        if no and (problem := identifier_problem(no)) is not None:
            errors.append({"line": line, "bank_loan_no": no, "code": "BANK_LOAN_NO_INVALID", "detail": f"bank_loan_no {problem}"})
            continue
        seen.add(no)
        # Locked like the API's status routes, so a file and a call on the same loan cannot overwrite
        # each other's repayments on PostgreSQL (SQLite's writer lock already serialises them).
        loan = await loans_repo.by_bank_no(uow.session, bank_id, no, for_update=True) if no else None
        if loan is None:
            errors.append({"line": line, "bank_loan_no": no, "code": "LOAN_UNKNOWN", "detail": f"no loan {no!r}"})
            continue
        try:
            _apply(loan, await _drop_known_repayment(uow, loan, row, month), month)
        except RowError as exc:
            errors.append({"line": line, "bank_loan_no": no, "code": exc.code, "detail": exc.detail})
            continue  # the in-memory loan is dropped: nothing of a bad row is written or published
        await loans_repo.save(uow.session, loan, source=f"file:{month}", at=deps.now())
        for event in loan.events:
            uow.publish(event)
        accepted += 1
    # One file covers all of the bank's loans: active loans issued by the month's end that it left out
    # are listed so the bank can complete its report.
    month_end = add_months(date.fromisoformat(f"{month}-01"), 1) - timedelta(days=1)
    missing = sorted(set(await loans_repo.active_numbers(uow.session, bank_id, issued_to=month_end)) - seen)
    report = {"file_id": deps.mint("sf"), "bank_id": bank_id, "month": month, "accepted": accepted,
              "rejected": len(errors), "errors": errors, "not_reported": len(missing),
              "not_reported_loans": missing[:100]}
    await uow.session.execute(insert(SF).values(
        file_id=report["file_id"], bank_id=bank_id, month=month, file_hash=file_hash, accepted=accepted,
        rejected=len(errors), report=orjson.dumps(report).decode(), received_at=deps.now()))
    return report
