"""Signing in and out, the language switch, and each person's to-do page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse, Response

from xinyidai_shared.errors import DomainError
from xinyidai_shared.web import STATUS_BY_KIND

from ..domain.forms import place

from .web import Ctx, cookie_name, form_of, now_utc, page, person, safe_next, set_cookie

router = APIRouter()
SIGN_IN_FIELDS = {"org_id", "person", "uscc", "enterprise_name"}


@router.get("/")
async def home(ctx: Ctx = Depends(page)) -> Response:
    """The start page: the public portal, or the person's to-do list when signed in."""
    if ctx.session is not None:
        return RedirectResponse("/work", status_code=303)
    return await ctx.render("home.html")


@router.get("/sign-in")
async def sign_in_form(ctx: Ctx = Depends(page), next: str = Query(default="/", max_length=500)) -> Response:  # noqa: A002
    """The sign-in form (dev identity: choose the organisation and say who you are)."""
    return await ctx.render("sign_in.html", choices=ctx.request.app.state.signin.choices(), next=safe_next(next),
                            form={}, errors=None)


@router.post("/sign-in")
async def sign_in(ctx: Ctx = Depends(page), form: dict[str, Any] = Depends(form_of)) -> Response:
    """Start a session: a new random id in an HttpOnly cookie; the old session, if any, ends."""
    signin = ctx.request.app.state.signin
    try:
        who = signin.sign_in(org_id=form.get("org_id", ""), person=form.get("person", ""), uscc=form.get("uscc", ""),
                             enterprise_name=form.get("enterprise_name", ""))
    except DomainError as exc:
        status = STATUS_BY_KIND[exc.kind]
        errors = place(status, exc.code, exc.detail, [], exc.extra, SIGN_IN_FIELDS)
        return await ctx.render("sign_in.html", http_status=status, choices=signin.choices(), next=safe_next(form.get("next")),
                                form=form, errors=errors)
    old = ctx.request.cookies.get(cookie_name(ctx.settings, "xyd_session"))
    if old:
        await ctx.request.app.state.sessions.end(old)
    raw, _ = await ctx.request.app.state.sessions.create(who, now_utc())
    target = safe_next(form.get("next"))
    response = RedirectResponse("/work" if target == "/" else target, status_code=303)
    set_cookie(response, ctx.settings, "xyd_session", raw, max_age=ctx.settings.session_max_hours * 3600)
    return response


@router.post("/sign-out")
async def sign_out(ctx: Ctx = Depends(page), _: dict = Depends(form_of)) -> Response:
    """End the session on the server and clear the cookie."""
    raw = ctx.request.cookies.get(cookie_name(ctx.settings, "xyd_session"))
    if raw:
        await ctx.request.app.state.sessions.end(raw)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(cookie_name(ctx.settings, "xyd_session"), path="/", secure=ctx.settings.cookie_secure,
                           httponly=True, samesite="lax")
    return response


@router.get("/lang")
async def switch_language(ctx: Ctx = Depends(page), to: str = Query(default="zh", max_length=5),
                          next: str = Query(default="/", max_length=500)) -> Response:  # noqa: A002
    """Switch between Chinese and English (kept in a cookie; pages are Chinese first)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie("xyd_lang", "en" if to == "en" else "zh", max_age=365 * 24 * 3600, path="/",
                        secure=ctx.settings.cookie_secure, httponly=True, samesite="lax")
    return response


@router.get("/work")
async def work(ctx: Ctx = Depends(person())) -> Response:
    """What waits on the signed-in person, with counts and a link to each queue."""
    return await ctx.render("work.html")
