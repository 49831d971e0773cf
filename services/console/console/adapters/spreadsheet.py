"""Write a table as an Excel workbook (openpyxl) for download."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from xinyidai_shared.exports import safe_row


def workbook(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], *, heading: str = "") -> bytes:
    """One sheet: an optional heading line, a bold header, the rows; columns sized to their content."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    if heading:
        sheet.append([heading])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))  # text from outside never runs as a formula
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None and c.row > (1 if heading else 0)), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
