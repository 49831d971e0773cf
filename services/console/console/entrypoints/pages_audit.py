"""The auditor's pages: verification of the books and the yearly audit pack."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xinyidai_shared.auth import FUND_AUDITORS
from xinyidai_shared.clock import today_shanghai

from .web import Ctx, person

router = APIRouter()


@router.get("/audit")
async def audit(ctx: Ctx = Depends(person(*FUND_AUDITORS))) -> Response:
    """Whether every balance recomputed from the journal agrees, with each broken invariant listed."""
    verification = await ctx.get("fund-ledger", "/v1/verification")
    year = today_shanghai().year
    return await ctx.render("audit/audit.html", verification=verification, years=list(range(year, year - 5, -1)))


@router.get("/audit/pack")
async def audit_pack(ctx: Ctx = Depends(person(*FUND_AUDITORS)),
                     year: int = Query(ge=2000, le=2100)) -> Response:
    """The year's audit pack (statement, journal CSV, PDF report) as the ledger builds it."""
    answer = await ctx.backend.send("GET", "fund-ledger", f"/v1/audit-packs/{year}", token=ctx.token())
    return Response(answer.content, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="fund-audit-{year}.zip"'})
