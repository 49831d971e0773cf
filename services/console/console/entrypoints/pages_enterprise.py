"""An enterprise's own pages: its rating and report, who queried it, authorisations, its application."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from xinyidai_shared.auth import Role
from xinyidai_shared.clock import today_shanghai

from ..adapters.backend import Problem
from ..domain.charts import rating_chart
from .web import Ctx, form_of, now_utc, optional, person

router = APIRouter(prefix="/me")
ENTERPRISE = Role.ENTERPRISE
SELF_PURPOSE = "enterprise self-view"
APPLY_FIELDS = {"name", "legal_representative", "industry_code", "employees", "revenue", "total_assets", "uscc"}
MATERIALS = ("business_licence", "operations", "tax_proof", "credit_report", "loan_request", "other")


@router.get("")
async def me(ctx: Ctx = Depends(person(ENTERPRISE))) -> Response:
    """The enterprise's rating with reasons, its history, its list standing and who looked at its report or standing.

    credit-data lets officers and services read ratings; the console reads the signed-in enterprise's own
    record (and nothing else) with its own credential.
    """
    uscc = ctx.session.org_id
    rating, history, membership, queries, standing_reads = await asyncio.gather(
        optional(ctx.get("credit-data", f"/v1/enterprises/{uscc}/rating", as_console=True)),
        optional(ctx.get("credit-data", f"/v1/enterprises/{uscc}/ratings", as_console=True)),
        optional(ctx.get("whitelist", f"/v1/public/list/{uscc}")),
        ctx.get("credit-data", "/v1/self/credit-queries"),
        optional(ctx.get("claims", "/v1/self/standing-queries")),
    )
    return await ctx.render("enterprise/me.html", rating=rating, history=history or [], membership=membership,
                            queries=queries, standing_reads=standing_reads or [], chart=rating_chart(history or [], ctx.lang))


@router.get("/report.pdf")
async def report(ctx: Ctx = Depends(person(ENTERPRISE))) -> Response:
    """The enterprise's own credit report as the Chinese PDF a bank would read."""
    uscc = ctx.session.org_id
    answer = await ctx.backend.send("GET", "credit-data", f"/v1/enterprises/{uscc}/credit-report.pdf",
                                    token=ctx.service_token(), params={"purpose": SELF_PURPOSE})
    return Response(answer.content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="credit-report-{uscc}.pdf"'})


async def _authorisations_page(ctx: Ctx, *, status: int = 200, errors: Any = None, form: dict | None = None) -> Response:
    rows = await ctx.get("credit-data", "/v1/self/authorisations")
    default_until = (today_shanghai() + timedelta(days=30)).isoformat()
    return await ctx.render("enterprise/authorisations.html", http_status=status, rows=rows, errors=errors,
                            form=form or {"valid_until": default_until, "purpose": "loan application"})


@router.get("/authorisations")
async def authorisations(ctx: Ctx = Depends(person(ENTERPRISE))) -> Response:
    """The banks the enterprise allowed to read its credit report, and a form to allow one more."""
    return await _authorisations_page(ctx)


@router.post("/authorisations")
async def authorise(ctx: Ctx = Depends(person(ENTERPRISE)), form: dict = Depends(form_of)) -> Response:
    """Allow a bank to read the report for a purpose until a date."""
    body = {k: form.get(k, "").strip() for k in ("bank_id", "purpose", "valid_until")}
    try:
        await ctx.post("credit-data", "/v1/self/authorisations", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _authorisations_page(ctx, status=problem.status, form=form,
                                          errors=ctx.errors(problem, {"bank_id", "purpose", "valid_until"}))
    return ctx.redirect("/me/authorisations")


def _as_applicant(ctx: Ctx, ticket_token: str) -> dict[str, Any]:
    """How to reach one of the enterprise's applications: its own credential, or the token of an older public filing."""
    return {"headers": {"X-Applicant-Token": ticket_token}} if ticket_token else {"token": ctx.token()}


async def _application_page(ctx: Ctx, *, status: int = 200, errors: Any = None, form: dict | None = None,
                            failed: str = "") -> Response:
    tickets = await ctx.request.app.state.tickets.of(ctx.session.org_id)
    views = await asyncio.gather(*(
        ctx.backend.send("GET", "whitelist", f"/v1/applications/{t.application_id}", **_as_applicant(ctx, t.token))
        for t in tickets
    ))
    applications = [v.json() for v in views]
    return await ctx.render("enterprise/application.html", http_status=status, applications=applications, errors=errors,
                            form=form or {}, failed=failed, materials=MATERIALS)


@router.get("/application")
async def application(ctx: Ctx = Depends(person(ENTERPRISE))) -> Response:
    """Apply for the recommended list, add materials, and follow the application step by step."""
    return await _application_page(ctx)


@router.post("/application")
async def apply(ctx: Ctx = Depends(person(ENTERPRISE)), form: dict = Depends(form_of)) -> Response:
    """File the application for the enterprise that is signed in (its USCC comes from the session)."""
    uscc = ctx.session.org_id
    body = {"uscc": uscc, "name": form.get("name", "").strip(),
            "legal_representative": form.get("legal_representative", "").strip(),
            "industry_code": form.get("industry_code", "").strip(), "employees": form.get("employees", "").strip() or None,
            "revenue": form.get("revenue", "").strip(), "total_assets": form.get("total_assets", "").strip()}
    try:
        # Filed with the enterprise's own credential: a proven applicant, whom no one else's filing can block.
        created = await ctx.post("whitelist", "/v1/applications", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _application_page(ctx, status=problem.status, errors=ctx.errors(problem, APPLY_FIELDS), form=form,
                                       failed="apply")
    await ctx.request.app.state.tickets.keep(application_id=created["id"], uscc=uscc,
                                             token=created.get("applicant_token") or "", now=now_utc())
    return ctx.redirect("/me/application")


@router.post("/application/{application_id}/materials")
async def upload(application_id: str, ctx: Ctx = Depends(person(ENTERPRISE)), form: dict = Depends(form_of)) -> Response:
    """Upload one material (PDF, JPEG or PNG) to the enterprise's own application."""
    ticket = next((t for t in await ctx.request.app.state.tickets.of(ctx.session.org_id)
                   if t.application_id == application_id), None)
    if ticket is None:
        raise Problem(404, "APPLICATION_NOT_FOUND", ctx.t("没有这份申请。", "No such application."))
    upload_ = form["_form"].get("file")
    kind = form.get("kind", "")
    try:
        if upload_ is None or isinstance(upload_, str) or not upload_.filename:
            raise Problem(400, "FILE_REQUIRED", ctx.t("请选择文件。", "Choose a file."), field="file")
        content = await upload_.read()
        await ctx.backend.send("PUT", "whitelist", f"/v1/applications/{application_id}/materials/{kind}",
                               **_as_applicant(ctx, ticket.token),
                               files={"file": (upload_.filename, content, upload_.content_type or "application/octet-stream")})
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _application_page(ctx, status=problem.status, errors=ctx.errors(problem, {"file", "kind"}),
                                       failed=application_id)
    return ctx.redirect("/me/application")
