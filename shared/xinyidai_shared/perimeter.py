"""Who is calling, learnt once per request for the audit trail and the rate limits.

An app-wide dependency (``build_app`` installs it before every route) reads the caller's credential,
when there is one, without refusing anything: the route's own ``require(...)`` still decides who may
call it. The caller's identity goes into the request's ``AuditContext`` and keys its rate limit:

- a credential's identity (its organisation and the person or client acting) is limited by role class:
  systems (banks, providers, other services), officers, enterprises, each with its own budget;
- an anonymous caller (public lists, notices, objections) is limited by network address.

Counters live in the service's database, so every replica shares them; each process counts in memory and
writes its hits in batches (``ratelimit.BatchedLimiter``: the budget holds across replicas within about
2 % of it per extra process), so a request costs no write transaction of its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials

from .audit import context_for, current_audit
from .auth import Principal, Role, current_principal
from .errors import DomainError
from .ratelimit import Limit, client_address

UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
ROLE_CLASS = {
    Role.BANK: "system", Role.PROVIDER: "system", Role.SERVICE: "system",
    Role.ENTERPRISE: "enterprise",
}  # every other role is an officer of the city (departments, bureaus, the leading group, auditors)


def role_class(principal: Principal | None) -> str:
    """The rate-limit class of a caller: system, officer, enterprise, or public (no credential)."""
    if principal is None:
        return "public"
    return ROLE_CLASS.get(principal.role, "officer")


def optional_principal(request: Request) -> Principal | None:
    """The caller named by a valid credential, or None (no credential, or one the route will refuse)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    token = value.strip() if scheme.lower() == "bearer" else request.headers.get("x-api-key")
    if not token:
        return None
    try:
        return current_principal(request, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token))
    except DomainError:
        return None


def rate_key(principal: Principal | None, request: Request) -> str:
    """One budget per identity: the organisation and who acts for it (a person or a client), else the address."""
    if principal is None:
        return client_address(request)
    client = str(getattr(principal, "client_id", "") or "")
    return f"{principal.org_id}/{client or principal.actor}"


async def request_context(request: Request) -> None:
    """App-wide dependency: record who calls for the audit trail, then count the call against its budget."""
    principal = optional_principal(request)
    current_audit.set(context_for(request, principal))
    if request.url.path in UNLIMITED_PATHS:
        return
    runtime: Any = request.app.state.runtime
    cls = role_class(principal)
    per_minute = runtime.settings.rate_limits_per_minute.get(cls, 0)
    if per_minute > 0:
        await runtime.request_limiter.hit(Limit(f"requests-{cls}", per_minute, 60.0), rate_key(principal, request))
