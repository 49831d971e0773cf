"""The auditor's pages: verification of the books, the yearly audit pack, and every service's audit trail."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xinyidai_shared.auth import FUND_AUDITORS, Role
from xinyidai_shared.clock import today_shanghai

from ..adapters.backend import Problem
from ..domain import forms, trail
from .web import Ctx, person

router = APIRouter()
TRAIL_PAGE_SIZES = (20, 50, 100, 200)


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


async def _trail_of(ctx: Ctx, service: str, after: int, limit: int, params: dict[str, Any]) -> dict[str, Any]:
    return await ctx.get(service, "/v1/audit-trail", after=after, limit=limit, **params)


@router.get("/audit/trail")
async def audit_trail(
    ctx: Ctx = Depends(person(Role.AUDITOR)),
    service: str = Query(default="", max_length=20),
    subject: str = Query(default="", max_length=200),
    org_id: str = Query(default="", max_length=100),
    route: str = Query(default="", max_length=300),
    object_id: str = Query(default="", max_length=200),
    correlation_id: str = Query(default="", max_length=64),
    since: str = Query(default="", max_length=10),
    until: str = Query(default="", max_length=10),
    limit: int = Query(default=50, ge=1, le=200),
    cursor: str = Query(default="", max_length=100),
) -> Response:
    """Who did what, when, on which objects: every service's trail as one list, oldest first, filtered."""
    filters = {"service": service, "subject": subject, "org_id": org_id, "route": route, "object_id": object_id,
               "correlation_id": correlation_id, "since": since, "until": until}
    if service and service not in trail.SERVICES:
        raise Problem(400, "SERVICE_UNKNOWN", ctx.t("没有这个服务。", "No such service."))
    try:
        after = trail.parse_cursor(cursor)
    except trail.BadCursor:
        raise Problem(400, "CURSOR_INVALID", ctx.t("翻页位置无效，请从第一页开始。", "That page position is not valid; start again.")) from None
    errors = _bad_dates(ctx, since, until)
    if errors:
        return await _trail_page(ctx, trail.Page([], None), filters, limit, [], errors, first_page=True)
    start, end = trail.day_bounds(*(date.fromisoformat(d) if d else None for d in (since, until)))
    params = {name: filters[name] for name in trail.FILTERS} | {"since": start, "until": end}
    asked = [service] if service else list(trail.SERVICES)
    answers = await asyncio.gather(*(_trail_of(ctx, s, after[s], limit, params) for s in asked), return_exceptions=True)
    pages: dict[str, Any] = {}
    failed: list[str] = []
    errors = None
    for name, answer in zip(asked, answers, strict=True):
        if isinstance(answer, Problem) and answer.status < 500 and answer.status not in (401, 403):
            errors = ctx.errors(answer, set(trail.FILTERS))
        elif isinstance(answer, BaseException):
            if isinstance(answer, Problem) and answer.status in (401, 403):
                raise answer
            failed.append(name)
        else:
            pages[name] = answer
    for name in trail.SERVICES:
        if name not in asked:  # a service not asked for has nothing to show: it is done
            pages[name] = {"items": [], "next_cursor": None}
    result = trail.merge(pages, after, limit) if errors is None else trail.Page([], None)
    return await _trail_page(ctx, result, filters, limit, failed, errors, first_page=not cursor)


def _bad_dates(ctx: Ctx, since: str, until: str) -> forms.FormErrors | None:
    """Dates the person typed that are no dates, or a range that ends before it starts, next to the field."""
    found = forms.FormErrors(code="DATE_INVALID")
    parsed = {}
    for name, text in (("since", since), ("until", until)):
        try:
            parsed[name] = date.fromisoformat(text) if text else None
        except ValueError:
            found.fields[name] = ctx.t("请填写日期，例如 2026-12-01。", "Give a date, e.g. 2026-12-01.")
    if not found and parsed["since"] and parsed["until"] and parsed["until"] < parsed["since"]:
        found.fields["until"] = ctx.t("截止日期早于起始日期。", "The end date is before the start date.")
    return found or None


async def _trail_page(ctx: Ctx, result: trail.Page, filters: dict[str, str], limit: int, failed: list[str],
                      errors: forms.FormErrors | None, *, first_page: bool) -> Response:
    query = urlencode({k: v for k, v in filters.items() if v} | {"limit": limit})
    return await ctx.render("audit/trail.html", http_status=400 if errors else 200, page=result, filters=filters,
                            limit=limit, query=query, failed=failed, errors=errors,
                            service_options=[(s, s) for s in trail.SERVICES],
                            size_options=[(str(n), str(n)) for n in TRAIL_PAGE_SIZES], first_page=first_page)
