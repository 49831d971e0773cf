"""The yearly audit pack over HTTP (art.18): one call returns statement, journal CSV and PDF as a zip."""

from __future__ import annotations

from typing import Annotated

import asyncio

from fastapi import APIRouter, Depends, Path, Response
from xinyidai_shared.auth import FUND_AUDITORS, Principal, require
from xinyidai_shared.runtime import Runtime
from xinyidai_shared.web import get_runtime
from xinyidai_shared.params import STRICT

from ..service_layer.audit import build_audit_pack, violations
from .audit_files import zip_pack

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit-packs/{year}", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "statement.json, journal.csv, report.pdf"}})
async def download_audit_pack(
    year: Annotated[int, Path(ge=2000, le=2100), STRICT], runtime: Runtime = Depends(get_runtime),
    _: Principal = Depends(require(*FUND_AUDITORS)),
) -> Response:
    """Download the year's audit pack (statement, journal CSV, PDF with the cash chart) as a zip."""
    async with runtime.db.read_session() as session:
        pack = await build_audit_pack(session, year)
    # Rendering the PDF is CPU work: keep it off the event loop.
    content = await asyncio.to_thread(zip_pack, pack)
    headers = {"Content-Disposition": f'attachment; filename="fund-audit-{year}.zip"'}
    return Response(content, media_type="application/zip", headers=headers)


@router.get("/verification")
async def verify_books(
    runtime: Runtime = Depends(get_runtime), _: Principal = Depends(require(*FUND_AUDITORS)),
) -> dict:
    """Recompute every balance from the journal and list any broken invariant (empty list: sound)."""
    async with runtime.db.read_session() as session:
        problems = await violations(session)
    return {"ok": not problems, "violations": problems}
