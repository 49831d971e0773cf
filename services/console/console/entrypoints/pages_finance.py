"""The finance bureau's pages: the fund at a glance, dues, deposits; the journal (also the auditor's)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from xinyidai_shared.auth import FUND_READERS, Role
from xinyidai_shared.clock import SHANGHAI, today_shanghai

from ..adapters.backend import Problem
from ..domain import charts
from .web import Ctx, form_of, person

router = APIRouter()
JOURNAL_FILTERS = ("account", "kind", "bank_id", "claim_id", "status", "since", "until")


def _end_of_day(day: Any) -> str:
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI).isoformat()


async def _cash_at(ctx: Ctx, day: Any, today: Any) -> dict:
    """Cash at the end of a day. A past day's never changes (the journal is append-only and a balance `at` an
    instant counts what was posted by then), so the app keeps those it has read; today's is read every time."""
    known: dict = ctx.request.app.state.past_cash
    if day < today and day in known:
        return known[day]
    balance = await ctx.get("fund-ledger", "/v1/accounts/cash/balance", at=_end_of_day(day))
    if day < today:
        known[day] = balance
    return balance


async def _positions(ctx: Ctx) -> list[dict]:
    banks = await ctx.get("claims", "/v1/banks")
    return list(await asyncio.gather(*(ctx.get("fund-ledger", f"/v1/banks/{b['bank_id']}/position") for b in banks)))


@router.get("/fund")
async def fund(ctx: Ctx = Depends(person(*FUND_READERS))) -> Response:
    """Cash over the last twelve months, paid per bank against its cap, the waiting queue, dues by age."""
    today = today_shanghai()
    days = charts.month_ends(today)
    figures, balances, positions, waiting, dues = await asyncio.gather(
        ctx.get("fund-ledger", "/v1/fund"),
        asyncio.gather(*(_cash_at(ctx, d, today) for d in days)),
        _positions(ctx),
        ctx.get("fund-ledger", "/v1/journal", kind="compensation", status="pending", limit=100),
        ctx.get("fund-ledger", "/v1/dues"),
    )
    series = charts.cash_series(days, list(balances))
    buckets = charts.dues_by_age(dues, today)
    return await ctx.render(
        "finance/fund.html", fund=figures, series=series, cash_chart=charts.cash_chart(series, ctx.lang),
        positions=positions, caps_chart=charts.caps_chart(positions, ctx.lang), waiting=waiting["items"],
        buckets=buckets, dues_chart=charts.dues_chart(buckets, ctx.lang),
    )


async def _dues_page(ctx: Ctx, *, status: int = 200, errors: Any = None, failed: str = "", form: dict | None = None,
                     overdue: bool = False) -> Response:
    dues = await ctx.get("fund-ledger", "/v1/dues", overdue="true" if overdue else None)
    today = today_shanghai()
    for d in dues:
        d["age_days"] = charts.due_age_days(d, today)
    return await ctx.render("finance/dues.html", http_status=status, dues=dues, errors=errors, failed=failed, form=form or {},
                            overdue=overdue, new_id=f"pay-{uuid.uuid4().hex[:12]}")


@router.get("/fund/dues")
async def dues(ctx: Ctx = Depends(person(*FUND_READERS)), overdue: bool = Query(default=False)) -> Response:
    """Amounts owed to the fund (fiscal share, bank contributions, recovery shares, clawbacks) and their age."""
    return await _dues_page(ctx, overdue=overdue)


@router.post("/fund/dues/{due_id}/payments")
async def pay_due(due_id: str, ctx: Ctx = Depends(person(Role.FINANCE_BUREAU)), form: dict = Depends(form_of)) -> Response:
    """Declare money received against a due; it is cash only when a second officer confirms it.

    The form's reference makes a double submit harmless (the ledger answers the first declaration again).
    """
    body = {"reference": form.get("reference", ""), "amount": form.get("amount", "").strip()}
    try:
        await ctx.post("fund-ledger", f"/v1/dues/{due_id}/payments", body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _dues_page(ctx, status=problem.status, errors=ctx.errors(problem, {"amount", "reference"}),
                                failed=due_id, form=form)
    return ctx.redirect("/fund/deposits#declared")


async def _deposits_page(ctx: Ctx, *, status: int = 200, errors: Any = None, failed: str = "", form: dict | None = None) -> Response:
    recent, pending = await asyncio.gather(ctx.get("fund-ledger", "/v1/journal", account="cash", limit=100),
                                           ctx.get("fund-ledger", "/v1/journal", status="pending", limit=200))
    cash_in = [e for e in recent["items"] if e.get("debit_account") == "cash" and e.get("status") == "posted"]
    declared = [e for e in pending["items"] if e.get("kind") != "compensation"]
    return await ctx.render("finance/deposits.html", http_status=status, recent=cash_in[-20:][::-1], declared=declared,
                            errors=errors, failed=failed, form=form or {}, new_id=f"capital-{uuid.uuid4().hex[:12]}",
                            year=today_shanghai().year)


@router.get("/fund/deposits")
async def deposits(ctx: Ctx = Depends(person(*FUND_READERS))) -> Response:
    """Declarations waiting for a second officer, initial capital, the year's fiscal share, recent cash in."""
    return await _deposits_page(ctx)


@router.post("/fund/deposits/{kind}")
async def deposit(kind: str, ctx: Ctx = Depends(person(Role.FINANCE_BUREAU)), form: dict = Depends(form_of)) -> Response:
    """Declare initial capital (a second officer confirms it), or record a year's fiscal revenue."""
    if kind == "initial-capital":
        path, body, fields = "/v1/deposits/initial-capital", {"reference": form.get("reference", ""),
                                                              "amount": form.get("amount", "").strip()}, {"amount", "reference"}
    elif kind == "fiscal-revenue":
        path, body, fields = "/v1/fiscal-revenues", {"year": form.get("year", "").strip(),
                                                     "revenue": form.get("revenue", "").strip()}, {"year", "revenue"}
    else:
        raise Problem(404, "NOT_FOUND", "no such deposit kind")
    try:
        await ctx.post("fund-ledger", path, body)
    except Problem as problem:
        if problem.status >= 500:
            raise
        return await _deposits_page(ctx, status=problem.status, errors=ctx.errors(problem, fields), failed=kind, form=form)
    return ctx.redirect("/fund/deposits#declared")


@router.post("/fund/transfers/{transfer_id}/{decision}")
async def decide_transfer(transfer_id: str, decision: str, ctx: Ctx = Depends(person(Role.FINANCE_BUREAU)),
                          form: dict = Depends(form_of)) -> Response:
    """Confirm a declaration (it becomes cash and pays the waiting queue) or void it; never by its declarer."""
    if decision == "confirmation":
        body: dict[str, Any] = {"note": form.get("note", "").strip()}
    elif decision == "void":
        body = {"reason": form.get("reason", "").strip()}
    else:
        raise Problem(404, "NOT_FOUND", "no such decision")
    try:
        await ctx.post("fund-ledger", f"/v1/transfers/{transfer_id}/{decision}", body)
    except Problem as problem:
        if problem.status >= 500 or problem.status == 404:
            raise
        return await _deposits_page(ctx, status=problem.status, errors=ctx.errors(problem, {"note", "reason"}),
                                    failed=transfer_id)
    return ctx.redirect("/fund/deposits#declared")


@router.get("/journal")
async def journal(ctx: Ctx = Depends(person(*FUND_READERS)), cursor: str = Query(default="", max_length=20),
                  account: str = Query(default="", max_length=100), kind: str = Query(default="", max_length=40),
                  bank_id: str = Query(default="", max_length=64), claim_id: str = Query(default="", max_length=64),
                  status: str = Query(default="", max_length=10), since: str = Query(default="", max_length=40),
                  until: str = Query(default="", max_length=40)) -> Response:
    """The journal, filtered, a page at a time."""
    filters = {"account": account, "kind": kind, "bank_id": bank_id, "claim_id": claim_id, "status": status,
               "since": since, "until": until}
    try:
        page_ = await ctx.get("fund-ledger", "/v1/journal", cursor=cursor, limit=100, **filters)
        errors = None
    except Problem as problem:
        if problem.status >= 500:
            raise
        page_, errors = {"items": [], "next_cursor": None}, ctx.errors(problem, set(JOURNAL_FILTERS))
    query = urlencode({k: v for k, v in filters.items() if v})
    return await ctx.render("finance/journal.html", http_status=400 if errors else 200, page=page_, filters=filters,
                            query=query, errors=errors)
