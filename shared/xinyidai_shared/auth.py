"""Organisations, roles and signed tokens. Every endpoint declares who may call it with ``require``.

A token is ``xyd1.<base64url(claims JSON)>.<base64url(HMAC-SHA256)>``, signed with the deployment's
secret; all services verify it locally, so no service reads another's tables to authenticate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import orjson
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import DomainError, ErrorKind, Forbidden

PREFIX = "xyd1"


class Role(StrEnum):
    BANK = "bank"
    PROVIDER = "provider"
    DEPARTMENT = "department"
    CREDIT_OFFICE = "credit_office"  # 发改局信用办
    FINANCE_BUREAU = "finance_bureau"  # 财政局
    FIN_DEV_BUREAU = "fin_dev_bureau"  # 金融发展局
    # Art.17 separates the two: the office (领导小组办公室) receives claims in batches, pre-reviews them
    # and runs the notices; the leading group itself (领导小组) approves. The office also runs the
    # recommended list's review and notice (art.8).
    LEADING_GROUP_OFFICE = "leading_group_office"  # 领导小组办公室
    LEADING_GROUP = "leading_group"  # 领导小组: approval of compensation (art.17.2)
    AUDITOR = "auditor"
    SERVICE = "service"  # another Xinyidai service
    ENTERPRISE = "enterprise"  # an enterprise itself: org_id is its USCC


SOURCES = ("water", "power", "gas", "heating", "tax", "social_insurance")

# Role groups: the one place that says which officers may read which records and which may act together.
# Routes name a group (or a single role) and add the non-government callers they serve (a bank for its own
# records, a provider, another service); nothing else in the code base lists officer roles.

# Who may read what (need to know).
CREDIT_FILE_READERS = frozenset({Role.CREDIT_OFFICE, Role.DEPARTMENT, Role.LEADING_GROUP_OFFICE, Role.LEADING_GROUP,
                                 Role.FIN_DEV_BUREAU, Role.AUDITOR})
"""An enterprise's credit file: ratings, data profile, dishonesty records, risk alerts, commitment letters,
credit reports, and the whitelist applications and reviews that carry its credit verdict. The finance bureau
pays money and judges no one's credit, so it is not here."""
CREDIT_QUERY_LOG_READERS = frozenset({Role.CREDIT_OFFICE, Role.AUDITOR})
"""Who looked at whose credit report: the office that keeps the log and the auditor."""
CLAIM_READERS = frozenset({Role.LEADING_GROUP_OFFICE, Role.LEADING_GROUP, Role.FIN_DEV_BUREAU, Role.FINANCE_BUREAU,
                           Role.CREDIT_OFFICE, Role.AUDITOR})
"""Admitted banks, loans and their status, claims, review batches and the scheme's statistics."""
FUND_READERS = frozenset({Role.FINANCE_BUREAU, Role.FIN_DEV_BUREAU, Role.LEADING_GROUP_OFFICE, Role.LEADING_GROUP,
                          Role.AUDITOR})
"""The fund's books: cash, balances, bank positions, dues, the journal, leverage."""
FUND_AUDITORS = frozenset({Role.AUDITOR, Role.FINANCE_BUREAU})
"""The year's audit pack and the recomputation of every balance from the journal."""

# Who may act.
CREDIT_RECORDERS = frozenset({Role.DEPARTMENT, Role.CREDIT_OFFICE})
"""Record dishonesty findings, register an enterprise's identity and its signed commitment letter."""
APPLICATION_REVIEWERS = frozenset({Role.DEPARTMENT, Role.CREDIT_OFFICE, Role.LEADING_GROUP_OFFICE})
"""The three review steps of a whitelist application; each may reject at its own step only."""
CALENDAR_KEEPERS = frozenset({Role.LEADING_GROUP_OFFICE, Role.CREDIT_OFFICE})
"""Declare working or rest days for years the holiday data lacks (they time every public notice)."""
BANK_ADMITTERS = frozenset({Role.LEADING_GROUP_OFFICE, Role.FIN_DEV_BUREAU})
"""Admit a bank to the scheme under its cooperation agreement."""

ROLE_GROUPS = {
    "CREDIT_FILE_READERS": CREDIT_FILE_READERS, "CREDIT_QUERY_LOG_READERS": CREDIT_QUERY_LOG_READERS,
    "CLAIM_READERS": CLAIM_READERS, "FUND_READERS": FUND_READERS, "FUND_AUDITORS": FUND_AUDITORS,
    "CREDIT_RECORDERS": CREDIT_RECORDERS, "APPLICATION_REVIEWERS": APPLICATION_REVIEWERS,
    "CALENDAR_KEEPERS": CALENDAR_KEEPERS, "BANK_ADMITTERS": BANK_ADMITTERS,
}
# Callers outside the government: they join a group's routes explicitly, for their own records only.
OUTSIDE_CALLERS = frozenset({Role.BANK, Role.PROVIDER, Role.SERVICE, Role.ENTERPRISE})


@dataclass(frozen=True)
class Principal:
    org_id: str
    role: Role
    name: str = ""
    sources: frozenset[str] = field(default_factory=frozenset)
    token_id: str = ""
    # The person (or system client) acting for the organisation: two-person rules compare subjects,
    # never organisations, so two officers of one bureau can be maker and checker.
    subject: str = ""

    @property
    def actor(self) -> str:
        """Who acted: the subject, or the organisation itself when the credential names no person."""
        return self.subject or self.org_id

    @property
    def bank_id(self) -> str:
        """A bank's organisation id is its bank id."""
        return self.org_id

    def may_push(self, source: str) -> bool:
        return self.role is Role.PROVIDER and source in self.sources


class Unauthenticated(DomainError):
    kind = ErrorKind.UNAUTHENTICATED


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def issue_token(
    secret: str,
    *,
    org_id: str,
    role: Role | str,
    name: str = "",
    sources: tuple[str, ...] = (),
    subject: str = "",
    ttl_s: int | None = 365 * 24 * 3600,
    issued_at: int | None = None,
) -> str:
    """A signed token for an organisation; ``ttl_s=None`` never expires (dev tokens only)."""
    iat = int(time.time()) if issued_at is None else issued_at
    claims = {"sub": org_id, "role": str(Role(role)), "name": name, "src": sorted(sources), "iat": iat}
    if subject:
        claims["psn"] = subject
    if ttl_s is not None:
        claims["exp"] = iat + ttl_s
    claims["jti"] = hashlib.sha256(orjson.dumps(claims, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    body = _b64(orjson.dumps(claims, option=orjson.OPT_SORT_KEYS))
    return f"{PREFIX}.{body}.{_sign(secret, body)}"


@lru_cache(maxsize=4096)
def _verified_claims(secret: str, token: str) -> dict:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise Unauthenticated("TOKEN_MALFORMED", "credential is not a Xinyidai token")
    if not hmac.compare_digest(_sign(secret, parts[1]), parts[2]):
        raise Unauthenticated("TOKEN_INVALID", "credential signature does not verify")
    try:
        return orjson.loads(_unb64(parts[1]))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise Unauthenticated("TOKEN_MALFORMED", "credential body is unreadable") from exc


def verify_token(secret: str, token: str, *, revoked: frozenset[str] = frozenset()) -> Principal:
    """The principal a token names; raises ``Unauthenticated`` when forged, expired or revoked."""
    claims = _verified_claims(secret, token)
    if "exp" in claims and claims["exp"] < time.time():
        raise Unauthenticated("TOKEN_EXPIRED", "credential has expired")
    if claims.get("jti") in revoked:
        raise Unauthenticated("TOKEN_REVOKED", "credential has been revoked")
    try:
        role = Role(claims["role"])
    except (KeyError, ValueError) as exc:
        raise Unauthenticated("TOKEN_MALFORMED", "credential names no known role") from exc
    return Principal(
        claims["sub"], role, claims.get("name", ""), frozenset(claims.get("src", ())),
        claims.get("jti", ""), claims.get("psn", ""),
    )


_bearer = HTTPBearer(auto_error=False, description="Organisation token (`make run` prints dev ones)")


def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The authenticated caller, from `Authorization: Bearer <token>` (or `X-API-Key`)."""
    token = credentials.credentials if credentials else request.headers.get("x-api-key")
    if not token:
        raise Unauthenticated("UNAUTHENTICATED", "this endpoint needs an organisation credential")
    settings = request.app.state.runtime.settings
    return verify_token(settings.auth_secret, token, revoked=frozenset(settings.revoked_token_ids))


def require(*roles: Role):  # noqa: ANN201 - returns a FastAPI dependency
    """Dependency: the caller must hold one of ``roles``; the principal is returned to the route."""
    allowed = frozenset(roles)

    def _check(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                "ROLE_NOT_ALLOWED",
                f"role {principal.role} may not call this; allowed: {', '.join(sorted(allowed))}",
            )
        return principal

    _check.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the endpoint-inventory test
    return _check


def public() -> None:
    """Dependency that marks an endpoint as deliberately open to anyone (lists, notices, objections)."""


public.public_endpoint = True  # type: ignore[attr-defined]  # read by the endpoint-inventory test
