"""What every page shares: the person, the language, CSRF, calls to services, rendering, error pages."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..adapters.backend import Backend, Problem
from ..adapters.sessions import Sessions
from ..adapters.tables import SessionRow
from ..config import Settings
from ..domain import forms, todo
from ..domain.people import PUBLIC_LINKS, current_link, nav_for, role_name
from . import filters

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
filters.install(TEMPLATES.env)
LANGS = ("zh", "en")


class SignInRequired(Exception):
    """The page needs a signed-in person; the handler sends the browser to the sign-in page."""


def cookie_name(settings: Settings, base: str) -> str:
    """`__Host-` cookies are bound to this host and path and must be Secure; without Secure, a plain name."""
    return f"__Host-{base}" if settings.cookie_secure else base


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class Ctx:
    """One page request: who asks, in which language, and the console's links to the services."""

    request: Request
    settings: Settings
    backend: Backend
    session: SessionRow | None
    lang: str
    anon_csrf: str
    todo_task: asyncio.Task | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        return self.session.role if self.session else None

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else self.anon_csrf

    def token(self) -> str | None:
        """The signed-in person's service token (None for the public)."""
        if self.session is None:
            return None
        return self.request.app.state.signin.token_for(self.session)

    def service_token(self) -> str:
        """The console's own credential (public figures; an enterprise's reads of its own record)."""
        return self.request.app.state.signin.service_token()

    async def get(self, service: str, path: str, *, as_console: bool = False, **params: Any) -> Any:
        token = self.service_token() if as_console else self.token()
        return await self.backend.get(service, path, token=token, params=params)

    async def post(self, service: str, path: str, json: Any = None, *, public: bool = False, **kw: Any) -> Any:
        """A write on the person's behalf; their to-do counts are recomputed on the next page."""
        self.request.app.state.todo_cache.pop(self.session.id_hash if self.session else "", None)
        return await self.backend.post(service, path, token=None if public else self.token(), json=json, **kw)

    async def put(self, service: str, path: str, json: Any = None, **kw: Any) -> Any:
        self.request.app.state.todo_cache.pop(self.session.id_hash if self.session else "", None)
        return await self.backend.put(service, path, token=self.token(), json=json, **kw)

    async def render(self, template: str, http_status: int = 200, **data: Any) -> HTMLResponse:
        """The page, with the navigation, the person's to-do counts and the CSRF token."""
        items = await self.todo_task if self.todo_task else []
        context = {
            "ctx": self, "t": self.t, "lang": self.lang, "person": self.session, "csrf": self.csrf,
            "nav": nav_for(self.role), "current_link": current_link(nav_for(self.role), self.request.url.path),
            "public_links": PUBLIC_LINKS, "todo": items,
            "badges": todo.badges(self.role or "", items), "role_name": role_name(self.role or "", self.lang),
            "path": self.request.url.path, "htmx": self.request.headers.get("hx-request") == "true",
            **data,
        }
        response = TEMPLATES.TemplateResponse(self.request, template, context, status_code=http_status)
        response.headers.update(self.extra_headers)
        return response

    def redirect(self, url: str) -> RedirectResponse:
        """After a successful form: see the result (303), or tell htmx to go there."""
        if self.request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": url})  # type: ignore[return-value]
        return RedirectResponse(url, status_code=303)

    def errors(self, problem: Problem, known: set[str]) -> forms.FormErrors:
        """The service's refusal as form errors, next to the fields the form has."""
        return forms.place(problem.status, problem.code, problem.detail, problem.errors, problem.extra, known)


async def _todo(request: Request, session: SessionRow) -> list[todo.Item]:
    """The person's to-do list: one call per queue, in parallel; reused for a few seconds."""
    cache: dict[str, tuple[float, list[todo.Item]]] = request.app.state.todo_cache
    settings: Settings = request.app.state.settings
    hit = cache.get(session.id_hash)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    backend: Backend = request.app.state.backend
    token = request.app.state.signin.token_for(session)
    queues = todo.QUEUES.get(session.role, ())
    answers = await asyncio.gather(
        *(backend.get(q.service, q.path, token=token, params=q.params) for q in queues), return_exceptions=True
    )
    found = todo.items(session.role, list(answers))
    if len(cache) > 10_000:
        cache.clear()
    cache[session.id_hash] = (time.monotonic() + settings.todo_cache_s, found)
    return found


async def page(request: Request) -> Ctx:
    """Dependency: the page context (public pages too); starts the to-do count for a signed-in person."""
    state = request.app.state
    settings: Settings = state.settings
    raw = request.cookies.get(cookie_name(settings, "xyd_session"))
    session = await state.sessions.find(raw, now_utc()) if raw else None
    lang = request.cookies.get("xyd_lang", "zh")
    anon = request.cookies.get(cookie_name(settings, "xyd_csrf")) or ""
    ctx = Ctx(request, settings, state.backend, session, lang if lang in LANGS else "zh", anon)
    if not anon:
        ctx.anon_csrf = secrets.token_urlsafe(32)
        request.state.new_anon_csrf = ctx.anon_csrf
    if session is not None:
        ctx.todo_task = asyncio.create_task(_todo(request, session))
    return ctx


def person(*roles: str):  # noqa: ANN201 - a FastAPI dependency
    """Dependency: a signed-in person holding one of ``roles`` (any role when none are named)."""

    async def _check(ctx: Ctx = Depends(page)) -> Ctx:
        if ctx.session is None:
            raise SignInRequired()
        if roles and ctx.session.role not in roles:
            raise Problem(403, "ROLE_NOT_ALLOWED", ctx.t("您的角色不能打开此页面。", "Your role cannot open this page."))
        return ctx

    return _check


async def form_of(request: Request, ctx: Ctx = Depends(page)) -> dict[str, Any]:
    """The submitted form after its CSRF token is checked (a form field, or the X-CSRF-Token header)."""
    form = await request.form()
    sent = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
    expected = ctx.session.csrf if ctx.session else request.cookies.get(cookie_name(ctx.settings, "xyd_csrf"), "")
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Problem(403, "CSRF_FAILED", ctx.t("表单已过期或来源不明，请刷新页面后重试。",
                                               "The form expired or did not come from this site; reload and try again."))
    return {k: v for k, v in form.multi_items() if isinstance(v, str)} | {"_form": form}


async def optional(call: Any) -> Any:
    """A read whose refusal (4xx: not rated yet, no record) means "nothing to show"; a 5xx still fails the page."""
    try:
        return await call
    except Problem as problem:
        if problem.status >= 500:
            raise
        return None


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/sign-in?next={quote(target)}"


def safe_next(value: str | None) -> str:
    """Only local paths: an open redirect would let a phishing link borrow the console's name."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def set_cookie(response: Response, settings: Settings, base: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(cookie_name(settings, base), value, max_age=max_age, path="/", secure=settings.cookie_secure,
                        httponly=True, samesite="lax")


def sessions_of(request: Request) -> Sessions:
    return request.app.state.sessions
