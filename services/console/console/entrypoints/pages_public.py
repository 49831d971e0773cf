"""Public pages (no sign-in): the recommended list, notices and objections, dishonesty list, letters, fund."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xinyidai_shared.uscc import validate_uscc

from ..adapters.backend import Problem
from ..domain.search import search
from .web import Ctx, form_of, page

router = APIRouter(prefix="/public")
OBJECTION_FIELDS = {"text", "contact"}
KINDS = {"list": ("whitelist", "/v1/public/notices/{id}/objections"), "claim": ("claims", "/v1/claims/{id}/objections")}


@router.get("/list")
async def recommended_list(ctx: Ctx = Depends(page), q: str = Query(default="", max_length=100)) -> Response:
    """The recommended list, searchable by name, USCC or industry; htmx swaps only the results."""
    rows = await ctx.get("whitelist", "/v1/public/list")
    found, total = search(rows, q, ("name", "uscc", "industry_code"))
    template = "public/list_results.html" if ctx.request.headers.get("hx-request") == "true" else "public/list.html"
    return await ctx.render(template, rows=found, total=total, all_count=len(rows), q=q)


@router.get("/list/{uscc}")
async def member(uscc: str, ctx: Ctx = Depends(page)) -> Response:
    """One enterprise's place on the list, its history and its commitment letters."""
    row = await ctx.get("whitelist", f"/v1/public/list/{validate_uscc(uscc)}")
    return await ctx.render("public/member.html", m=row)


async def _notices(ctx: Ctx) -> tuple[list[dict], list[dict]]:
    apps, claims = await asyncio.gather(ctx.get("whitelist", "/v1/public/notices"), ctx.get("claims", "/v1/notices"))
    return apps, claims


@router.get("/notices")
async def notices(ctx: Ctx = Depends(page)) -> Response:
    """Current notices: enterprises proposed for the list and claims proposed for compensation."""
    apps, claims = await _notices(ctx)
    return await ctx.render("public/notices.html", apps=apps, claims=claims)


async def _notice(ctx: Ctx, kind: str, notice_id: str) -> dict[str, Any]:
    apps, claims = await _notices(ctx)
    rows = apps if kind == "list" else claims
    key = "application_id" if kind == "list" else "claim_id"
    found = next((r for r in rows if r[key] == notice_id), None)
    if found is None:
        raise Problem(404, "NOTICE_NOT_FOUND", ctx.t("该公示不存在或已结束。", "No such notice, or it has ended."))
    return found


@router.get("/notices/{kind}/{notice_id}/objection")
async def objection_form(kind: str, notice_id: str, ctx: Ctx = Depends(page)) -> Response:
    """The objection form for one notice."""
    if kind not in KINDS:
        raise Problem(404, "NOT_FOUND", "no such notice kind")
    notice = await _notice(ctx, kind, notice_id)
    return await ctx.render("public/objection.html", kind=kind, notice=notice, form={}, errors=None)


@router.post("/notices/{kind}/{notice_id}/objection")
async def file_objection(kind: str, notice_id: str, ctx: Ctx = Depends(page), form: dict = Depends(form_of)) -> Response:
    """File an objection; the answer is an acknowledgement number to quote when asking about it."""
    if kind not in KINDS:
        raise Problem(404, "NOT_FOUND", "no such notice kind")
    service, path = KINDS[kind]
    body = {"text": form.get("text", "").strip(), "contact": form.get("contact", "").strip()}
    if not body["contact"] and kind == "list":
        body["contact"] = None
    try:
        receipt = await ctx.post(service, path.format(id=notice_id), body, public=True,
                                 headers={"X-Forwarded-For": ctx.request.client.host if ctx.request.client else ""})
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        notice = await _notice(ctx, kind, notice_id)
        return await ctx.render("public/objection.html", http_status=problem.status, kind=kind, notice=notice, form=form,
                                errors=ctx.errors(problem, OBJECTION_FIELDS))
    number = receipt.get("id") or receipt.get("objection_id")
    return await ctx.render("public/objection_ack.html", http_status=201, kind=kind, notice_id=notice_id, number=number,
                            receipt=receipt)


@router.get("/dishonesty")
async def dishonesty(ctx: Ctx = Depends(page), q: str = Query(default="", max_length=100)) -> Response:
    """The dishonesty records in force today (joint punishment list)."""
    rows = await ctx.get("credit-data", "/v1/public/dishonesty-records")
    found, total = search(rows, q, ("uscc", "reason", "kind"))
    return await ctx.render("public/dishonesty.html", rows=found, total=total, q=q)


@router.get("/letters")
async def letters(ctx: Ctx = Depends(page), q: str = Query(default="", max_length=100)) -> Response:
    """Valid credit commitment letters, each with its SHA-256 so anyone can check the file."""
    rows = await ctx.get("credit-data", "/v1/public/commitment-letters")
    found, total = search(rows, q, ("enterprise_name", "uscc", "legal_representative"))
    return await ctx.render("public/letters.html", rows=found, total=total, q=q)


@router.get("/letters/{letter_id}.pdf")
async def letter_file(letter_id: str, ctx: Ctx = Depends(page)) -> Response:
    """The published PDF of a valid letter."""
    answer = await ctx.backend.send("GET", "credit-data", f"/v1/public/commitment-letters/{letter_id}.pdf")
    return Response(answer.content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{letter_id}.pdf"'})


@router.get("/fund")
async def fund(ctx: Ctx = Depends(page)) -> Response:
    """The fund's transparency figures: cash, compensation paid, what waits, what is owed to it."""
    figures, members = await asyncio.gather(
        ctx.get("fund-ledger", "/v1/fund", as_console=True), ctx.get("whitelist", "/v1/public/list")
    )
    return await ctx.render("public/fund.html", fund=figures, members=len(members))
