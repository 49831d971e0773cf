"""Applying, uploading art.10 materials, and moving an application through its workflow."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from xinyidai_shared.clock import business_date
from xinyidai_shared.errors import Conflict, DomainError, Forbidden, Invalid
from xinyidai_shared.uow import UnitOfWork

from ..adapters import repository as repo
from ..adapters.tables import ApplicationRow, MaterialRow, TransitionRow
from ..config import Settings
from ..domain import intake, materials
from ..domain.applicant import Applicant, applicant_for, supersedes
from ..domain.membership import MemberStatus
from ..domain.notice import NoticePeriod, can_conclude, open_period
from ..domain.sme import Figures
from ..domain.workflow import OPEN_STATES, Status, Step, Transition, move, supersede
from . import listing


@dataclass(frozen=True, slots=True)
class Apply:
    """The command behind an application (money already in fen)."""

    uscc: str
    name: str
    legal_representative: str
    industry_code: str
    employees: int
    revenue_fen: int
    assets_fen: int


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an organisation with its role, or the public (``role == "public"``)."""

    org_id: str
    role: str


def _split(codes: str) -> list[str]:
    return [code for code in codes.split(",") if code]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def apply(uow: UnitOfWork, command: Apply, *, actor: Actor, settings: Settings, now: datetime):
    """Record a new application; returns the row and, for a public applicant, its one-time access token.

    One application per enterprise is open at a time, except that the enterprise itself (or a department
    for it) supersedes an open application filed by someone who has not proven who they are.
    """
    figures = Figures(command.employees, command.revenue_fen, command.assets_fen)
    checked = intake.assess(
        uscc=command.uscc, name=command.name, legal_representative=command.legal_representative,
        industry_code=command.industry_code, figures=figures,
        city_divisions=settings.city_division_codes, encouraged_catalogue=settings.encouraged_industries,
    )
    kind = applicant_for(actor.role, actor.org_id, checked.uscc)
    session = uow.session
    existing = await repo.open_application_for(session, checked.uscc, for_update=True)
    if existing is not None:
        if not supersedes(kind, Applicant(existing.applicant_kind)):
            raise Conflict("APPLICATION_OPEN", f"{checked.uscc} already has an open application",
                           application_id=existing.id, current_state=existing.status)
        reason = f"superseded by an application from the {kind.value} ({actor.org_id}), whose identity is proven"
        record_transition(uow, existing, supersede(Status(existing.status), actor=actor.org_id, role=actor.role,
                                                   reason=reason, at=now))
        await session.flush()  # frees the enterprise's open slot before the new application takes it
    member = await repo.membership(session, checked.uscc)
    if member is not None and member.status != MemberStatus.REMOVED:
        raise Conflict("ALREADY_A_MEMBER", f"{checked.uscc} is on the list ({member.status})", current_state=member.status)
    token = secrets.token_urlsafe(24) if kind is Applicant.PUBLIC else None
    row = ApplicationRow(
        id=str(uuid.uuid4()), uscc=checked.uscc, open_uscc=checked.uscc, name=command.name.strip(),
        legal_representative=command.legal_representative.strip(), industry_code=checked.industry.normalised,
        sme_industry=checked.classification.industry.value, sme_size=checked.classification.size.value,
        employees=command.employees, revenue_fen=command.revenue_fen, assets_fen=command.assets_fen,
        flags=",".join(checked.flags), status=Status.SUBMITTED.value, submitted_by=actor.org_id,
        applicant_kind=kind.value, applicant_token_sha256=token_digest(token) if token else None,
        created_at=now, updated_at=now,
    )
    session.add(row)
    session.add(TransitionRow(application_id=row.id, step="apply", from_status="", to_status=row.status,
                              actor=actor.org_id, role=actor.role, reason="", at=now))
    try:
        await session.flush()
    except IntegrityError as exc:
        # A concurrent application for the same enterprise committed first (unique open_uscc).
        raise Conflict("APPLICATION_OPEN", f"{checked.uscc} already has an open application") from exc
    return row, token


def check_enterprise(row: ApplicationRow, org_id: str) -> None:
    """Refuse an enterprise acting on an application under another enterprise's USCC."""
    if row.uscc != org_id:
        raise Forbidden("NOT_YOUR_ENTERPRISE", "this application is for another enterprise")


def check_applicant(row: ApplicationRow, token: str | None) -> None:
    """Refuse a public caller whose access token is not this application's."""
    if not token or row.applicant_token_sha256 is None or not secrets.compare_digest(
        token_digest(token), row.applicant_token_sha256
    ):
        raise Forbidden("APPLICANT_TOKEN_INVALID", "this access token does not open this application")


async def upload_material(
    uow: UnitOfWork, application_id: str, kind: str, *, filename: str, declared_type: str | None,
    content: bytes, actor: Actor, settings: Settings, now: datetime,
) -> MaterialRow:
    """Store one art.10 material (checked type and size, SHA-256); replaces the same kind before screening."""
    try:
        material_kind = materials.MaterialKind(kind)
    except ValueError as exc:
        raise Invalid("MATERIAL_KIND_UNKNOWN", f"kinds are {', '.join(materials.MaterialKind)}", field="kind") from exc
    row = await repo.application(uow.session, application_id, for_update=True)
    if row.status != Status.SUBMITTED:
        raise Conflict("MATERIALS_LOCKED", f"materials can change only before screening; it is {row.status}",
                       current_state=row.status)
    media_type = materials.check_upload(declared_type, content, max_bytes=settings.material_max_bytes)
    previous = await repo.material(uow.session, application_id, material_kind.value)
    if previous is not None:
        await uow.session.delete(previous)
        await uow.session.flush()
    stored = MaterialRow(
        id=str(uuid.uuid4()), application_id=application_id, kind=material_kind.value,
        filename=(filename or material_kind.value)[:255], content_type=media_type, size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor.org_id, uploaded_at=now,
    )
    uow.session.add(stored)
    row.updated_at = now
    return stored


def record_transition(uow: UnitOfWork, row: ApplicationRow, transition: Transition) -> None:
    uow.session.add(TransitionRow(
        application_id=row.id, step=transition.step.value, from_status=transition.from_status.value,
        to_status=transition.to_status.value, actor=transition.actor, role=transition.role,
        reason=transition.reason, at=transition.at,
    ))
    row.status = transition.to_status.value
    row.updated_at = transition.at
    if transition.to_status not in OPEN_STATES:
        row.open_uscc = None


def notice_period(row: ApplicationRow) -> NoticePeriod:
    assert row.notice_starts_on and row.notice_ends_on and row.notice_working_days is not None
    return NoticePeriod(row.notice_starts_on, row.notice_ends_on, row.notice_working_days)


async def _guard(uow: UnitOfWork, row: ApplicationRow, step: Step, *, override: bool, reason: str | None, now: datetime,
                 accept_flags: tuple[str, ...]) -> None:
    """Business conditions of a step, checked after the state and role are known to fit."""
    if step is Step.SCREEN:
        missing = materials.missing_materials(await repo.material_kinds(uow.session, row.id))
        if missing:
            raise DomainError("MATERIALS_INCOMPLETE", "art.10 materials missing: " + ", ".join(missing),
                              missing=[kind.value for kind in missing])
        row.accepted_flags = ",".join(intake.accept_flags(_split(row.flags), accept_flags, reason))
    elif step is Step.CREDIT_CHECK:
        found = await listing.require_credit(uow.session, row.uscc, accepted=override, lead="credit conditions fail: ")
        if not found.passed and not (reason or "").strip():
            raise Invalid("OVERRIDE_REASON_REQUIRED", "overriding the pre-filled verdict needs a reason", field="reason")
        row.credit_override = not found.passed
    elif step is Step.CONCLUDE_NOTICE:
        pending = await repo.pending_objection_count(uow.session, row.id)
        can_conclude(notice_period(row), business_date(now), pending)
        # Credit may have dropped since the check (a member would be suspended at once): refuse unless
        # the credit office had already accepted a failing verdict by override.
        await listing.require_credit(uow.session, row.uscc, accepted=row.credit_override, lead="credit changed since the check: ")


async def take_step(
    uow: UnitOfWork, application_id: str, step: Step, *, actor: Actor, reason: str | None,
    settings: Settings, now: datetime, override: bool = False, accept_flags: tuple[str, ...] = (),
) -> ApplicationRow:
    """Move an application one step (or reject it); the review step opens the public notice at once."""
    row = await repo.application(uow.session, application_id, for_update=True)
    before = row.status
    transition = move(Status(row.status), step, actor=actor.org_id, role=actor.role, reason=reason, at=now)
    await _guard(uow, row, step, override=override, reason=reason, now=now, accept_flags=accept_flags)
    record_transition(uow, row, transition)
    if step is Step.REVIEW:
        period = open_period(business_date(now), settings.notice_working_days, await repo.overrides(uow.session))
        row.notice_starts_on, row.notice_ends_on = period.starts_on, period.ends_on
        row.notice_working_days = period.working_days
        opening = move(Status.REVIEWED, Step.OPEN_NOTICE, actor=actor.org_id, role=actor.role,
                       reason=f"public notice {period.starts_on} to {period.ends_on}", at=now)
        record_transition(uow, row, opening)
    elif step is Step.CONCLUDE_NOTICE:
        row.recommended_on = business_date(now)
        await listing.recommend(uow, row, actor=actor.org_id, settings=settings, now=now)
    await uow.session.flush()
    uow.audit(before={"status": str(before)}, after={"status": str(row.status)}, application_id=row.id, uscc=row.uscc)
    return row
