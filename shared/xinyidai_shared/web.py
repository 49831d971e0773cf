"""The HTTP edge every service shares: app builder, problem+json errors, health, correlation ids."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .audit import audit_router, current_audit
from .auth import Role, require
from .body_limits import BodySizeLimit, RouteLimit
from .perimeter import request_context
from .db import masked
from .errors import DomainError, ErrorKind
from .logs import CORRELATION_HEADER, configure_logging, correlation_id, new_correlation_id
from .runtime import Runtime, ServiceSpec
from .settings import ServiceSettings
from .uow import UnitOfWork

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

STATUS_BY_KIND = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED: 415,
    ErrorKind.UNPROCESSABLE: 422,
    ErrorKind.RATE_LIMITED: 429,
}


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem document with our stable ``code``."""
    body = {"type": f"urn:xinyidai:problem:{code}", "title": code, "status": status, "code": code, "detail": detail}
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 429 and "retry_after_s" in extra:
        headers = {"Retry-After": str(extra["retry_after_s"])}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """One place maps every failure to problem+json; domain code never knows HTTP statuses."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem(STATUS_BY_KIND[exc.kind], exc.code, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "reason": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        return problem(422, "VALIDATION_FAILED", "the request does not match the schema", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, f"HTTP_{exc.status_code}")
        return problem(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "INTERNAL_ERROR", "an unexpected error occurred; it has been logged")


class CorrelationMiddleware:
    """Pure ASGI: take or make a correlation id, expose it to logs and events, echo it back; and give the
    request a clean audit context (``perimeter.request_context`` fills it in)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER.encode())
        cid = incoming.decode()[:64] if incoming else new_correlation_id()
        token = correlation_id.set(cid)
        audit_token = current_audit.set(None)

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((CORRELATION_HEADER.encode(), cid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            current_audit.reset(audit_token)
            correlation_id.reset(token)


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict:
        """Alive: the process answers."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Ready: the database answers and, when a broker is configured, Kafka is connected."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, str] = {}
        try:
            await runtime.db.ping()
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - readiness reports any failure
            checks["database"] = f"error: {type(exc).__name__}"
        if runtime.settings.kafka_bootstrap:
            checks["broker"] = "ok" if runtime.kafka_ready else "unavailable"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)

    return router


def build_app(
    spec: ServiceSpec,
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    description: str = "",
    prefix: str = "",
    body_limits: Sequence[RouteLimit] = (),
) -> FastAPI:
    """Compose a service: runtime in the lifespan, routers (under ``prefix``), errors, health, correlation ids,
    and request size limits (``settings.max_body_bytes``; uploads name theirs in ``body_limits``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, level=settings.log_level, json=settings.log_json)
        await runtime.start()
        log.info("started", extra={"port": settings.port, "database": masked(runtime.db.url)})
        try:
            yield
        finally:
            await runtime.stop()

    runtime = Runtime(spec, settings)
    # Every route first learns who calls (audit trail, rate limits); the route's own `require` decides.
    app = FastAPI(title=title, description=description, lifespan=lifespan, version="0.1.0",
                  dependencies=[Depends(request_context)])
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router, prefix=prefix)
    app.include_router(audit_router(require(Role.AUDITOR)))
    app.add_middleware(BodySizeLimit, default_max=settings.max_body_bytes, routes=body_limits)
    app.add_middleware(CorrelationMiddleware)  # outermost: even a refused body's answer carries the id
    return app


async def read_limited(request: Request, max_bytes: int, *, code: str, what: str) -> bytes:
    """The request body, refused with 413 ``code`` as soon as it (or its declared length) passes ``max_bytes``.

    Read it before opening a unit of work: a slow sender must never hold the database's writer gate.
    """
    too_large = DomainError(code, f"{what} may be at most {max_bytes} bytes", kind=ErrorKind.TOO_LARGE)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def get_uow(request: Request) -> AsyncIterator[UnitOfWork]:
    """Dependency: a unit of work for this request; the route commits it once, otherwise it rolls back."""
    async with request.app.state.runtime.uow() as uow:
        yield uow


def get_runtime(request: Request) -> Runtime:
    """Dependency: the service's runtime (database for reads, settings)."""
    return request.app.state.runtime
