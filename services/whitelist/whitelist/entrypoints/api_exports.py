"""CSV and XLSX exports of the list for officers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from openpyxl import Workbook
from starlette.concurrency import run_in_threadpool

from xinyidai_shared.auth import Principal, require
from xinyidai_shared.web import get_runtime

from ..adapters import repository as repo
from ..adapters.tables import MembershipRow
from ..domain.membership import MemberStatus
from .deps import OFFICERS

router = APIRouter(prefix="/exports", tags=["exports"])
COLUMNS = ("uscc", "name", "status", "industry_code", "sme_size", "listed_on", "last_reviewed_on", "application_id")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(members: Sequence[MembershipRow]) -> list[list[str]]:
    return [[str(getattr(m, column)) for column in COLUMNS] for m in members]


def _spreadsheet_safe(cell: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "推荐名单"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_spreadsheet_safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _members(runtime) -> list[list[str]]:  # noqa: ANN001
    async with runtime.db.read_session() as session:
        return _rows(await repo.members(session, list(MemberStatus)))


@router.get("/list.csv")
async def export_csv(_: Principal = Depends(require(*OFFICERS)), runtime=Depends(get_runtime)) -> Response:  # noqa: ANN001
    """Every member with its status, as UTF-8 CSV with a BOM (opens cleanly in Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([[_spreadsheet_safe(cell) for cell in row] for row in await _members(runtime)])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="whitelist.csv"'})


@router.get("/list.xlsx")
async def export_xlsx(_: Principal = Depends(require(*OFFICERS)), runtime=Depends(get_runtime)) -> Response:  # noqa: ANN001
    """Every member with its status, as an Excel workbook."""
    content = await run_in_threadpool(_xlsx, await _members(runtime))
    return Response(content, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="whitelist.xlsx"'})
