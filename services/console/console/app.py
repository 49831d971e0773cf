"""Composition root: settings, the console's database, the sign-in adapter, the services' client, pages."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import MetaData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from xinyidai_shared.body_limits import BodySizeLimit, RouteLimit
from xinyidai_shared.db import Database
from xinyidai_shared.errors import DomainError
from xinyidai_shared.logs import configure_logging
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.web import STATUS_BY_KIND, CorrelationMiddleware

from . import vendor
from .adapters.backend import Backend, Problem
from .adapters.sessions import Sessions, Tickets
from .adapters.signin import DevSignIn
from .adapters.tables import Base
from .config import Settings
from .entrypoints import (
    pages_audit,
    pages_auth,
    pages_claims,
    pages_enterprise,
    pages_finance,
    pages_officers,
    pages_public,
    pages_standing,
)
from .entrypoints.web import TEMPLATES, SignInRequired, cookie_name, page, set_cookie, sign_in_url

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ConsoleSpec:
    """What the migration tool needs to know about the console (it has no events)."""

    name: str
    metadata: MetaData
    migrations: Path


spec = ConsoleSpec(name="console", metadata=Base.metadata, migrations=PACKAGE / "migrations")

MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundary, part headers, the CSRF token and the file name around one file


def body_limits(settings: Settings) -> list[RouteLimit]:
    """Uploads may be as large as the service behind them accepts; public forms are short texts."""
    return [
        RouteLimit("POST", "/me/application/{application_id}/materials",
                   settings.material_max_bytes + MULTIPART_OVERHEAD_BYTES, "MATERIAL_TOO_LARGE"),
        RouteLimit("POST", "/enterprises/{uscc}/letter", settings.letter_max_bytes + MULTIPART_OVERHEAD_BYTES,
                   "LETTER_TOO_LARGE"),
        RouteLimit("POST", "/public/notices/{kind}/{notice_id}/objection", settings.public_form_max_bytes,
                   "OBJECTION_TOO_LARGE"),
    ]


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The console: pages for every person, a backend-for-frontend over the four services."""
    settings = settings or Settings()
    absent = vendor.missing()
    if absent:
        raise RuntimeError(f"front-end libraries not vendored ({', '.join(absent)}): run `make install`")
    db = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("console", level=settings.log_level, json=settings.log_json)
        await upgrade_to_head(db, spec.migrations)
        app.state.backend = Backend(settings.service_urls(), timeout_s=settings.backend_timeout_s)
        try:
            yield
        finally:
            await app.state.backend.close()
            await db.dispose()

    app = FastAPI(title="console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.db = db
    app.state.sessions = Sessions(db, idle=timedelta(minutes=settings.session_idle_minutes),
                                  lifetime=timedelta(hours=settings.session_max_hours))
    app.state.tickets = Tickets(db)
    app.state.signin = DevSignIn(settings.auth_secret, dev_mode=settings.dev_mode, ttl_s=settings.token_ttl_s)
    app.state.todo_cache = {}
    app.state.past_cash = {}  # Asia/Shanghai date -> the fund's cash at the end of that (past) day
    app.mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static")
    for module in (pages_auth, pages_public, pages_officers, pages_claims, pages_finance, pages_audit, pages_enterprise,
                   pages_standing):
        app.include_router(module.router)
    _install_health(app, db)
    _install_errors(app)
    _install_headers(app, settings)
    # Every body is counted before a form is parsed (1 MB for forms; uploads as above): an endless POST
    # from anyone, signed in or not, is cut off at its limit instead of filling memory or the temp dir.
    app.add_middleware(BodySizeLimit, default_max=settings.max_body_bytes, routes=body_limits(settings))
    app.add_middleware(CorrelationMiddleware)
    return app


def _install_health(app: FastAPI, db: Database) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        """Alive: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        """Ready: the console's own database answers (the services report their own readiness)."""
        try:
            await db.ping()
        except Exception as exc:  # noqa: BLE001 - readiness reports any failure
            return JSONResponse({"status": "not ready", "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})


async def _error_page(request: Request, status: int, code: str, detail: str) -> Response:
    ctx = await page(request)
    return await ctx.render("error.html", http_status=status, code=code, detail=detail)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        return RedirectResponse(sign_in_url(request), status_code=303)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        if exc.status == 401:
            return RedirectResponse(sign_in_url(request), status_code=303)
        return await _error_page(request, exc.status if exc.status < 500 else 502, exc.code, exc.detail)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return await _error_page(request, STATUS_BY_KIND[exc.kind], exc.code, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, f"HTTP_{exc.status_code}")
        return await _error_page(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _: ClientDisconnect) -> Response:
        # The browser went away mid-upload, or the body limit cut it off and already answered 413: no one reads this.
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return await _error_page(request, 500, "INTERNAL_ERROR", "an unexpected error occurred; it has been logged")


def _install_headers(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def _headers(request: Request, call_next) -> Response:  # noqa: ANN001
        started = time.perf_counter()
        response = await call_next(request)
        # The console's own work plus its calls to the services, for the browser's devtools and the bench.
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=3600"
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        new_anon = getattr(request.state, "new_anon_csrf", None)
        if new_anon and cookie_name(settings, "xyd_csrf") not in request.cookies:
            set_cookie(response, settings, "xyd_csrf", new_anon)
        return response


TEMPLATES.env.globals["static_version"] = "1"
