"""Officers' pages for the recommended list: applications and their steps, objections, re-reviews, calendar."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse, Response

from xinyidai_shared.auth import CALENDAR_KEEPERS, CREDIT_FILE_READERS, CREDIT_RECORDERS, Role
from xinyidai_shared.uscc import validate_uscc

from ..adapters.backend import Problem
from ..domain import workflow
from ..domain.charts import rating_chart
from .web import Ctx, form_of, optional, person

router = APIRouter()
# Applications and re-reviews carry credit verdicts: the credit file's readers see them.
OFFICERS = tuple(CREDIT_FILE_READERS)
STEP_FIELDS = {"reason", "override", "accept_flags"}
PAGE = 50


@router.get("/applications")
async def applications(
    ctx: Ctx = Depends(person(*OFFICERS)),
    status: str = Query(default="", max_length=20),
    uscc: str = Query(default="", max_length=18),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> Response:
    """Applications, newest first, filtered by state, a page of 50 at a time."""
    rows = await ctx.get("whitelist", "/v1/applications", status=status, uscc=uscc, limit=PAGE + 1, offset=offset)
    return await ctx.render("officers/applications.html", rows=rows[:PAGE], status=status, uscc=uscc,
                            statuses=workflow.APPLICATION_STATES, offset=offset, page=PAGE,
                            more=len(rows) > PAGE)


async def _application_page(ctx: Ctx, application_id: str, *, status: int = 200, errors: Any = None,
                            failed_step: str = "", form: dict | None = None) -> Response:
    app_view = await ctx.get("whitelist", f"/v1/applications/{application_id}")
    objections: list[dict] = []
    if app_view["status"] in {"in_notice", "rejected", "recommended"}:
        objections = await ctx.get("whitelist", f"/v1/applications/{application_id}/objections")
    steps = workflow.application_steps(ctx.role or "", app_view["status"])
    return await ctx.render("officers/application.html", http_status=status, a=app_view, objections=objections, steps=steps,
                            errors=errors, failed_step=failed_step, form=form or {})


@router.get("/applications/{application_id}")
async def application(application_id: str, ctx: Ctx = Depends(person(*OFFICERS))) -> Response:
    """One application: materials to preview, the pre-filled credit verdict, history, and the person's step."""
    return await _application_page(ctx, application_id)


@router.get("/applications/{application_id}/materials/{kind}")
async def material(application_id: str, kind: str, ctx: Ctx = Depends(person(*OFFICERS))) -> Response:
    """A material shown in the page (PDF or image), sandboxed so it cannot script the console."""
    answer = await ctx.backend.send("GET", "whitelist", f"/v1/applications/{application_id}/materials/{kind}",
                                    token=ctx.token())
    kind_type = answer.headers.get("content-type", "application/octet-stream")
    return Response(answer.content, media_type=kind_type, headers={
        "Content-Disposition": f'inline; filename="{kind}"', "Content-Security-Policy": "sandbox",
        "X-Content-SHA256": answer.headers.get("x-content-sha256", ""),
    })


@router.post("/applications/{application_id}/{step}")
async def take_step(application_id: str, step: str, ctx: Ctx = Depends(person(*OFFICERS)),
                    form: dict = Depends(form_of)) -> Response:
    """Screen, credit-check, review, conclude or reject; a refusal is shown next to the field."""
    if step not in workflow.APPLICATION_STEP_PATHS:
        raise Problem(404, "NOT_FOUND", "no such step")
    body: dict[str, Any] = {"reason": form.get("reason", "").strip() or None}
    if step == "credit-check":
        body["override"] = form.get("override") == "on"
    if step == "screen":  # every flag raised must be accepted in so many words (art.9 exceptions travel to claims)
        body["accept_flags"] = [str(v) for v in form["_form"].getlist("accept_flags")]
    try:
        await ctx.post("whitelist", f"/v1/applications/{application_id}/{step}", body)
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return await _application_page(ctx, application_id, status=problem.status,
                                       errors=ctx.errors(problem, STEP_FIELDS), failed_step=step, form=form)
    return ctx.redirect(f"/applications/{application_id}")


@router.post("/objections/{objection_id}/decision")
async def decide_objection(objection_id: str, ctx: Ctx = Depends(person(Role.LEADING_GROUP_OFFICE)),
                           form: dict = Depends(form_of)) -> Response:
    """Uphold (the application is rejected) or dismiss an objection to a listing notice."""
    application_id = form.get("application_id", "")
    body = {"uphold": form.get("uphold") == "yes", "reason": form.get("reason", "").strip() or None}
    try:
        await ctx.post("whitelist", f"/v1/objections/{objection_id}/decision", body)
    except Problem as problem:
        if problem.status >= 500 or not application_id:
            raise
        return await _application_page(ctx, application_id, status=problem.status,
                                       errors=ctx.errors(problem, STEP_FIELDS), failed_step=f"objection-{objection_id}")
    return ctx.redirect(f"/applications/{application_id}#objections")


@router.get("/reviews")
async def reviews(ctx: Ctx = Depends(person(*OFFICERS)), status: str = Query(default="open", max_length=10)) -> Response:
    """Re-review tasks (periodic, or opened by a rating drop, a dishonesty record or a critical alert)."""
    rows = await ctx.get("whitelist", "/v1/reviews", status=status)
    return await ctx.render("officers/reviews.html", rows=rows, status=status, errors=None, failed="")


@router.post("/reviews/sweep")
async def sweep(ctx: Ctx = Depends(person(Role.CREDIT_OFFICE)), _: dict = Depends(form_of)) -> Response:
    """Open the periodic re-reviews that are due now."""
    result = await ctx.post("whitelist", "/v1/reviews/sweep", {})
    return ctx.redirect(f"/reviews?opened={result.get('opened', 0)}")


@router.post("/reviews/{review_id}/decision")
async def decide_review(review_id: str, ctx: Ctx = Depends(person(Role.CREDIT_OFFICE)),
                        form: dict = Depends(form_of)) -> Response:
    """Keep (restores a suspended member) or remove a member under re-review."""
    body = {"decision": form.get("decision", ""), "reason": form.get("reason", "").strip(),
            "override": form.get("override") == "on"}
    try:
        await ctx.post("whitelist", f"/v1/reviews/{review_id}/decision", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        rows = await ctx.get("whitelist", "/v1/reviews", status="open")
        return await ctx.render("officers/reviews.html", http_status=problem.status, rows=rows, errors=ctx.errors(
            problem, {"decision", "reason", "override"}), failed=review_id)
    return ctx.redirect("/reviews")


@router.get("/calendar")
async def calendar(ctx: Ctx = Depends(person())) -> Response:
    """The working-day overrides that time every public notice (for years the holiday data lacks)."""
    rows = await ctx.get("whitelist", "/v1/public/calendar/overrides")
    return await ctx.render("officers/calendar.html", rows=rows, form={}, errors=None,
                            may_set=ctx.role in CALENDAR_KEEPERS)


@router.post("/calendar")
async def set_day(ctx: Ctx = Depends(person(*CALENDAR_KEEPERS)),
                  form: dict = Depends(form_of)) -> Response:
    """Declare a day a working day or a rest day; running notices are re-timed by the service."""
    day = form.get("day", "").strip()
    body = {"working": form.get("working") == "yes", "note": form.get("note", "").strip()}
    try:
        if not day:
            raise Problem(400, "DAY_REQUIRED", ctx.t("请选择日期。", "Choose a date."), field="day")
        await ctx.put("whitelist", f"/v1/calendar/overrides/{day}", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        rows = await ctx.get("whitelist", "/v1/public/calendar/overrides")
        errors = ctx.errors(problem, {"day", "working", "note"})
        if problem.code in {"VALIDATION_FAILED", "NOT_FOUND"} and not errors.fields:
            errors.fields["day"] = problem.detail
        return await ctx.render("officers/calendar.html", http_status=problem.status, rows=rows, form=form, errors=errors,
                                may_set=True)
    return ctx.redirect("/calendar")


@router.get("/enterprises")
async def find_enterprise(ctx: Ctx = Depends(person(*OFFICERS)), uscc: str = Query(default="", max_length=18)) -> Response:
    """Look an enterprise up by USCC."""
    if uscc.strip():
        return RedirectResponse(f"/enterprises/{validate_uscc(uscc.strip().upper())}", status_code=303)
    return await ctx.render("officers/enterprise_search.html")


async def _enterprise_page(ctx: Ctx, code: str, *, status: int = 200, errors: Any = None, failed: str = "",
                           form: dict | None = None) -> Response:
    rating, history, alerts, dishonesty, letters = await asyncio.gather(
        optional(ctx.get("credit-data", f"/v1/enterprises/{code}/rating")),
        optional(ctx.get("credit-data", f"/v1/enterprises/{code}/ratings")),
        optional(ctx.get("credit-data", f"/v1/enterprises/{code}/alerts")),
        optional(ctx.get("credit-data", f"/v1/enterprises/{code}/dishonesty-records")),
        optional(ctx.get("credit-data", f"/v1/enterprises/{code}/commitment-letters")),
    )
    return await ctx.render("officers/enterprise.html", http_status=status, uscc=code, rating=rating,
                            history=history or [], chart=rating_chart(history or [], ctx.lang), alerts=alerts,
                            dishonesty=dishonesty, letters=letters, may_record=ctx.role in CREDIT_RECORDERS,
                            errors=errors, failed=failed, form=form or {})


@router.get("/enterprises/{uscc}")
async def enterprise(uscc: str, ctx: Ctx = Depends(person(*OFFICERS))) -> Response:
    """An enterprise's credit: rating with reasons, its history as a chart, alerts, dishonesty, letters."""
    return await _enterprise_page(ctx, validate_uscc(uscc))


RECORD_FIELDS = {"identity": {"name", "legal_representative"}, "letter": {"file"},
                 "dishonesty": {"reference", "reason", "started_on", "expires_on"}}


@router.post("/enterprises/{uscc}/{what}")
async def record(uscc: str, what: str, ctx: Ctx = Depends(person(*CREDIT_RECORDERS)), form: dict = Depends(form_of)) -> Response:
    """Register the enterprise's identity, upload its signed commitment letter (PDF), or record a dishonesty finding."""
    code = validate_uscc(uscc)
    if what not in RECORD_FIELDS:
        raise Problem(404, "NOT_FOUND", "nothing to record here")
    try:
        if what == "identity":
            await ctx.put("credit-data", f"/v1/enterprises/{code}/identity",
                          {k: form.get(k, "").strip() for k in ("name", "legal_representative")})
        elif what == "letter":
            upload = form["_form"].get("file")
            if upload is None or isinstance(upload, str) or not upload.filename:
                raise Problem(400, "FILE_REQUIRED", ctx.t("请选择PDF文件。", "Choose the PDF file."), field="file")
            await ctx.post("credit-data", f"/v1/enterprises/{code}/commitment-letters", content=await upload.read(),
                           headers={"Content-Type": "application/pdf"})
        else:
            body = {"uscc": code, **{k: form.get(k, "").strip() or None for k in ("reference", "reason", "started_on", "expires_on")}}
            await ctx.post("credit-data", "/v1/dishonesty-records", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _enterprise_page(ctx, code, status=problem.status, errors=ctx.errors(problem, RECORD_FIELDS[what]),
                                      failed=what, form=form)
    return ctx.redirect(f"/enterprises/{code}")
