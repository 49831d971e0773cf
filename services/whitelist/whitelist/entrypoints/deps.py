"""Request dependencies and row-to-schema views shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from xinyidai_shared.auth import Principal, Role, current_principal
from xinyidai_shared.errors import Forbidden
from xinyidai_shared.ratelimit import Limit, hit

from ..adapters import repository as repo
from ..adapters.tables import ApplicationRow
from ..config import Settings
from ..domain.commitment import Letter, LetterStatus, current, status_of
from ..domain.credit import verdict
from ..domain.materials import missing_materials
from ..schemas import (
    ApplicationRead,
    CommitmentLetterRead,
    CreditVerdictRead,
    MaterialRead,
    NoticeRead,
    TransitionRead,
)
from ..service_layer.applications import Actor

_optional_bearer = HTTPBearer(auto_error=False)


def settings_of(request: Request) -> Settings:
    """The service's settings."""
    return request.app.state.runtime.settings


def now_of(request: Request) -> datetime:
    """The current instant from the app's clock (tests may set another)."""
    return request.app.state.clock()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.org_id, principal.role.value)


def optional_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_optional_bearer)
) -> Principal | None:
    """The caller when a credential is sent (it must then be valid), else None (the public)."""
    if credentials is None and not request.headers.get("x-api-key"):
        return None
    return current_principal(request, credentials)


def objection_limit(settings: Settings) -> Limit:
    """Public objections per client address (shared by every replica through the database)."""
    return Limit("whitelist-objections", settings.objection_rate_limit, settings.objection_rate_window_s)


def public_apply_limit(settings: Settings) -> Limit:
    """Applications filed without a credential, per client address."""
    return Limit("whitelist-public-applications", settings.public_apply_rate_limit, settings.public_apply_rate_window_s)


def applicant_or(*roles: Role, public_limit: Callable[[Settings], Limit] | None = None):  # noqa: ANN201
    """Dependency: the public (None) or an organisation holding one of ``roles``; a public caller counts
    against ``public_limit`` here, before the route opens its unit of work."""

    async def _check(request: Request, principal: Principal | None = Depends(optional_principal)) -> Principal | None:
        if principal is not None and principal.role not in roles:
            raise Forbidden("ROLE_NOT_ALLOWED", f"role {principal.role} may not call this")
        if principal is None and public_limit is not None:
            await hit(request, public_limit(settings_of(request)))
        return principal

    _check.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]  # for endpoint inventories
    return _check


def letter_read(letter: Letter | None) -> CommitmentLetterRead:
    """A commitment letter as the reads show it (``missing`` when credit-data announced none)."""
    if letter is None:
        return CommitmentLetterRead(status=LetterStatus.MISSING.value)
    return CommitmentLetterRead(status=status_of(letter).value, letter_id=letter.letter_id,
                                published_on=letter.published_on, document_sha256=letter.document_sha256,
                                voided_on=letter.voided_on, void_reason_code=letter.void_reason_code)


async def application_view(session: AsyncSession, row: ApplicationRow) -> ApplicationRead:
    """Everything an officer sees about an application, including the pre-filled credit verdict."""
    materials = await repo.materials(session, row.id)
    snapshot = await repo.credit_snapshot(session, row.uscc)
    found = verdict(snapshot)
    notice = None
    if row.notice_starts_on and row.notice_ends_on and row.notice_working_days is not None:
        notice = NoticeRead(starts_on=row.notice_starts_on, ends_on=row.notice_ends_on,
                            working_days=row.notice_working_days)
    return ApplicationRead(
        id=row.id, uscc=row.uscc, name=row.name, legal_representative=row.legal_representative,
        industry_code=row.industry_code, sme_industry=row.sme_industry, sme_size=row.sme_size,
        employees=row.employees, revenue=row.revenue_fen, total_assets=row.assets_fen, status=row.status,
        flags=[f for f in row.flags.split(",") if f],
        accepted_flags=[f for f in row.accepted_flags.split(",") if f], submitted_by=row.submitted_by,
        applicant_kind=row.applicant_kind, created_at=row.created_at,
        updated_at=row.updated_at, missing_materials=[m.value for m in missing_materials(m.kind for m in materials)],
        materials=[MaterialRead(kind=m.kind, filename=m.filename, content_type=m.content_type,
                                size_bytes=m.size_bytes, sha256=m.sha256, uploaded_by=m.uploaded_by,
                                uploaded_at=m.uploaded_at) for m in materials],
        notice=notice, recommended_on=row.recommended_on, credit_override=row.credit_override,
        commitment_letter=letter_read(current(await repo.letters(session, row.uscc))),
        credit_verdict=CreditVerdictRead(grade=snapshot.grade, has_report=snapshot.has_report,
                                         active_dishonesty_records=list(snapshot.active_dishonesty),
                                         passed=found.passed, reason_codes=list(found.reason_codes)),
        transitions=[TransitionRead(step=t.step, from_status=t.from_status, to_status=t.to_status, actor=t.actor,
                                    role=t.role, reason=t.reason, at=t.at)
                     for t in await repo.transitions(session, row.id)],
    )
