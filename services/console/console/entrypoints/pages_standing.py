"""Malicious-default reports: the credit office reviews each before anything is public; the enterprise sees and disputes."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xinyidai_shared.auth import Role

from ..adapters.backend import Problem
from ..domain.standing import REPORT_STATES, awaiting_dispute_decision
from .web import Ctx, form_of, person

router = APIRouter()
DECISIONS = frozenset({"confirm", "reject"})
REVIEW_FIELDS = {"reason"}  # the decision is a button or a choice: its refusal is said above the form


async def _queue_page(ctx: Ctx, status: str, *, http_status: int = 200, errors: Any = None, failed: str = "",
                      form: dict | None = None) -> Response:
    shown, confirmed = await asyncio.gather(
        ctx.get("credit-data", "/v1/default-reports", status=status, limit=500),
        ctx.get("credit-data", "/v1/default-reports", status="confirmed", limit=500),
    )
    return await ctx.render("officers/default_reports.html", http_status=http_status, rows=shown, status=status,
                            statuses=REPORT_STATES, disputed=awaiting_dispute_decision(confirmed), errors=errors,
                            failed=failed, form=form or {})


@router.get("/default-reports")
async def default_reports(ctx: Ctx = Depends(person(Role.CREDIT_OFFICE)),
                          status: str = Query(default="pending", pattern="^(pending|confirmed|rejected|annulled)$")) -> Response:
    """The banks' malicious-default reports waiting for review, and the enterprises' disputes of public records."""
    return await _queue_page(ctx, status)


@router.post("/default-reports/{report_id}/review")
async def review_report(report_id: str, ctx: Ctx = Depends(person(Role.CREDIT_OFFICE)),
                        form: dict = Depends(form_of)) -> Response:
    """Confirm (public for five years) or reject a bank's report, with the reason; a refusal shows by the form."""
    decision = form.get("decision", "")
    try:
        if decision not in DECISIONS:
            raise Problem(400, "DECISION_REQUIRED", ctx.t("请选择确认或驳回。", "Choose confirm or reject."), field="decision")
        await ctx.post("credit-data", f"/v1/default-reports/{report_id}/{decision}", {"reason": form.get("reason", "").strip()})
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return await _queue_page(ctx, "pending", http_status=problem.status, errors=ctx.errors(problem, REVIEW_FIELDS),
                                 failed=report_id, form=form)
    return ctx.redirect("/default-reports")


@router.post("/default-report-disputes/{dispute_id}/decision")
async def decide_dispute(dispute_id: str, ctx: Ctx = Depends(person(Role.CREDIT_OFFICE)),
                         form: dict = Depends(form_of)) -> Response:
    """Uphold an enterprise's dispute (the report is rejected or the record annulled) or dismiss it, with the reason."""
    body = {"uphold": form.get("uphold") == "yes", "reason": form.get("reason", "").strip()}
    try:
        await ctx.post("credit-data", f"/v1/default-report-disputes/{dispute_id}/decision", body)
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return await _queue_page(ctx, "pending", http_status=problem.status, errors=ctx.errors(problem, REVIEW_FIELDS),
                                 failed=dispute_id, form=form)
    return ctx.redirect("/default-reports")


async def _own_page(ctx: Ctx, *, http_status: int = 200, errors: Any = None, failed: str = "",
                    form: dict | None = None) -> Response:
    rows = await ctx.get("credit-data", "/v1/self/default-reports")
    return await ctx.render("enterprise/default_reports.html", http_status=http_status, rows=rows, errors=errors,
                            failed=failed, form=form or {})


@router.get("/me/default-reports")
async def own_reports(ctx: Ctx = Depends(person(Role.ENTERPRISE))) -> Response:
    """Every malicious-default report a bank made about the enterprise, its review and the enterprise's disputes."""
    return await _own_page(ctx)


@router.post("/me/default-reports/{report_id}/disputes")
async def dispute(report_id: str, ctx: Ctx = Depends(person(Role.ENTERPRISE)), form: dict = Depends(form_of)) -> Response:
    """Dispute a report about the enterprise; the credit office must decide it before anything more is public."""
    try:
        await ctx.post("credit-data", f"/v1/self/default-reports/{report_id}/disputes", {"text": form.get("text", "").strip()})
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return await _own_page(ctx, http_status=problem.status, errors=ctx.errors(problem, {"text"}), failed=report_id,
                               form=form)
    return ctx.redirect("/me/default-reports")
