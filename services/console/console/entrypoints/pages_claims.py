"""Claims through art.17: review, verification, approval, batches and their notice; banks and statistics."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xinyidai_shared.auth import BANK_ADMITTERS, CLAIM_READERS, Role
from xinyidai_shared.clock import today_shanghai

from ..adapters.backend import Problem
from ..adapters.spreadsheet import workbook
from ..domain import workflow
from ..domain.agenda import HEADER, agenda_rows
from ..domain.charts import ranking_chart
from .web import Ctx, form_of, person

router = APIRouter()
REASON_CODES = ("NOT_ELIGIBLE", "ART13_EXCLUSION", "NOT_LOSS", "MATERIALS_INCOMPLETE", "MATERIALS_FALSE",
                "VERIFICATION_FAILED", "CAP_EXHAUSTED", "OTHER")
DECISION_FIELDS = {"decision", "note", "reason_code", "reason", "reasons"}


@router.get("/claims")
async def claims(ctx: Ctx = Depends(person(*CLAIM_READERS)), state: str = Query(default="", max_length=30),
                 batch_id: str = Query(default="", max_length=64)) -> Response:
    """Claims by state or batch, newest first."""
    rows = await ctx.get("claims", "/v1/claims", state=state, batch_id=batch_id, limit=500)
    return await ctx.render("claims/list.html", rows=rows, state=state, batch_id=batch_id, states=workflow.CLAIM_STATES)


async def _claim_page(ctx: Ctx, claim_id: str, *, status: int = 200, errors: Any = None, form: dict | None = None) -> Response:
    claim = await ctx.get("claims", f"/v1/claims/{claim_id}")
    loan = await ctx.get("claims", f"/v1/loans/{claim['loan_id']}")
    action = workflow.claim_action(ctx.role or "", claim["state"])
    return await ctx.render("claims/detail.html", http_status=status, c=claim, loan=loan, action=action, errors=errors,
                            form=form or {}, reason_codes=REASON_CODES)


@router.get("/claims/{claim_id}")
async def claim(claim_id: str, ctx: Ctx = Depends(person(*CLAIM_READERS))) -> Response:
    """A claim with the loan, its eligibility rule by rule (with articles), materials, steps and the decision form."""
    return await _claim_page(ctx, claim_id)


@router.post("/claims/{claim_id}/{action}")
async def decide_claim(claim_id: str, action: str,
                       ctx: Ctx = Depends(person(*CLAIM_READERS)),
                       form: dict = Depends(form_of)) -> Response:
    """Preliminary review, verification or approval; a rejection carries a reason code and its article.

    The page offers each step only to the role that takes it; the claims service enforces the same.
    """
    if action not in workflow.CLAIM_ACTION_PATHS:
        raise Problem(404, "NOT_FOUND", "no such step")
    decision = form.get("decision", "")
    body: dict[str, Any] = {"decision": decision, "note": form.get("note", "").strip()}
    if decision == "reject":
        body["reasons"] = [{"code": form.get("reason_code", ""), "text": form.get("reason", "").strip()}]
    try:
        await ctx.post("claims", f"/v1/claims/{claim_id}/{action}", body)
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        errors = ctx.errors(problem, DECISION_FIELDS)
        if "reasons" in errors.fields:
            errors.fields["reason"] = errors.fields.pop("reasons")
        return await _claim_page(ctx, claim_id, status=problem.status, errors=errors, form=form)
    return ctx.redirect(f"/claims/{claim_id}")


async def _batches(ctx: Ctx) -> list[dict]:
    batches, claims_all = await asyncio.gather(ctx.get("claims", "/v1/batches"), ctx.get("claims", "/v1/claims", limit=1000))
    by_batch: dict[str, list[dict]] = {}
    for c in claims_all:
        by_batch.setdefault(c["batch_id"], []).append(c)
    for b in batches:
        b["claims"] = by_batch.get(b["batch_id"], [])
        b["actions"] = workflow.batch_actions(ctx.role or "", b["state"], [c["state"] for c in b["claims"]])
    return batches


@router.get("/batches")
async def batches(ctx: Ctx = Depends(person(*CLAIM_READERS))) -> Response:
    """Review batches with their claims and the next step of each (close, notice, conclude)."""
    return await ctx.render("claims/batches.html", batches=await _batches(ctx), errors=None, failed="")


@router.post("/batches/{batch_id}/{action:path}")
async def batch_action(batch_id: str, action: str, ctx: Ctx = Depends(person(Role.LEADING_GROUP_OFFICE)),
                       _: dict = Depends(form_of)) -> Response:
    """Close a batch, publish its notice, or conclude the notice; a refusal says why (e.g. objections pending)."""
    if action not in {"close", "notice", "notice/close"}:
        raise Problem(404, "NOT_FOUND", "no such batch step")
    try:
        await ctx.post("claims", f"/v1/batches/{batch_id}/{action}")
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return await ctx.render("claims/batches.html", http_status=problem.status, batches=await _batches(ctx),
                                errors=ctx.errors(problem, set()), failed=batch_id)
    return ctx.redirect(f"/batches#b-{batch_id}")


@router.get("/batches/{batch_id}/agenda.xlsx")
async def agenda(batch_id: str, ctx: Ctx = Depends(person(*CLAIM_READERS))) -> Response:
    """The batch's agenda for the leading group's meeting, as an Excel workbook."""
    rows = await ctx.get("claims", "/v1/claims", batch_id=batch_id, limit=1000)
    content = workbook("议程", HEADER, agenda_rows(rows),
                       heading=f"信易贷风险缓释基金代偿评审 · 批次 {batch_id} · {today_shanghai().isoformat()}")
    name = quote(f"代偿评审议程-{batch_id}.xlsx")
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get("/banks")
async def banks(ctx: Ctx = Depends(person(*CLAIM_READERS))) -> Response:
    """Admitted banks, their documents on file and whether they may claim."""
    rows = await ctx.get("claims", "/v1/banks")
    return await ctx.render("claims/banks.html", rows=rows, form={}, errors=None, may_admit=ctx.role in BANK_ADMITTERS)


@router.post("/banks")
async def admit_bank(ctx: Ctx = Depends(person(*BANK_ADMITTERS)),
                     form: dict = Depends(form_of)) -> Response:
    """Admit a bank to the programme (its cooperation agreement and art.16.1 documents)."""
    kinds = ("business_licence", "legal_person_certificate", "code_certificate", "articles_of_association", "tax_registration")
    body = {"bank_id": form.get("bank_id", "").strip(), "name": form.get("name", "").strip(),
            "admitted_on": form.get("admitted_on", "").strip(), "agreement_ref": form.get("agreement_ref", "").strip(),
            "documents": {k: form[k].strip() for k in kinds if form.get(k, "").strip()}}
    try:
        await ctx.post("claims", "/v1/banks", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        rows = await ctx.get("claims", "/v1/banks")
        return await ctx.render("claims/banks.html", http_status=problem.status, rows=rows, form=form, may_admit=True,
                                errors=ctx.errors(problem, {"bank_id", "name", "admitted_on", "agreement_ref", *kinds}))
    return ctx.redirect("/banks")


def _default_period(today: date) -> str:
    return str(today.year)


@router.get("/stats")
async def stats(ctx: Ctx = Depends(person(*CLAIM_READERS)), period: str = Query(default="", max_length=7)) -> Response:
    """Figures per bank and for the city, and the bank ranking as a chart."""
    period = period or _default_period(today_shanghai())
    try:
        figures, ranking = await asyncio.gather(ctx.get("claims", "/v1/stats", period=period),
                                                ctx.get("claims", "/v1/stats/ranking", period=period))
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await ctx.render("claims/stats.html", http_status=problem.status, period=period, figures=[], ranking=[],
                                chart=None, errors=ctx.errors(problem, {"period"}))
    chart = ranking_chart(ranking, "principal_issued", ("放款金额（元）", "Principal issued (yuan)"), ctx.lang)
    return await ctx.render("claims/stats.html", period=period, figures=figures, ranking=ranking, chart=chart, errors=None)
