"""CSV and XLSX exports of the list for officers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from openpyxl import Workbook
from starlette.concurrency import run_in_threadpool

from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, require
from xinyidai_shared.web import get_runtime
from xinyidai_shared.exports import safe_row

from ..adapters import repository as repo
from ..adapters.tables import MembershipRow
from ..domain.commitment import Letter, current, flags_for, status_of
from ..domain.membership import MemberStatus

router = APIRouter(prefix="/exports", tags=["exports"])
MEMBER_COLUMNS = ("uscc", "name", "status", "industry_code", "sme_size", "listed_on", "last_reviewed_on",
                  "application_id")
COLUMNS = (*MEMBER_COLUMNS, "commitment_letter", "commitment_letter_void_reason", "flags")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(members: Sequence[MembershipRow], letters: dict[str, list[Letter]]) -> list[list[str]]:
    rows = []
    for member in members:
        letter = current(letters.get(member.uscc, []))
        rows.append([str(getattr(member, column)) for column in MEMBER_COLUMNS]
                    + [status_of(letter).value, (letter.void_reason_code if letter else None) or "",
                       ",".join(flags_for(letter))])
    return rows


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "推荐名单"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _members(runtime) -> list[list[str]]:  # noqa: ANN001
    async with runtime.db.read_session() as session:
        members = await repo.members(session, list(MemberStatus))
        return _rows(members, await repo.member_letters(session, list(MemberStatus)))


@router.get("/list.csv")
async def export_csv(_: Principal = Depends(require(*CREDIT_FILE_READERS)), runtime=Depends(get_runtime)) -> Response:  # noqa: ANN001
    """Every member with its status, as UTF-8 CSV with a BOM (opens cleanly in Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([safe_row(row) for row in await _members(runtime)])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="whitelist.csv"'})


@router.get("/list.xlsx")
async def export_xlsx(_: Principal = Depends(require(*CREDIT_FILE_READERS)), runtime=Depends(get_runtime)) -> Response:  # noqa: ANN001
    """Every member with its status, as an Excel workbook."""
    content = await run_in_threadpool(_xlsx, await _members(runtime))
    return Response(content, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="whitelist.xlsx"'})
