"""Credit reports: who may read one, what it says, and the log of every look.

A bank reads a report only with an authorisation the enterprise gave it (a reference bound to the
enterprise, that bank and a validity date); officers read with a stated purpose. Every read is logged.
An unrated enterprise has no report.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any

import orjson

from xinyidai_shared.auth import Principal, Role
from xinyidai_shared.clock import business_date, today_shanghai, utcnow
from xinyidai_shared.consent import Consent, check_bank_consent, require_purpose
from xinyidai_shared.dishonesty import in_force
from xinyidai_shared.errors import Invalid, NotFound
from xinyidai_shared.events import CreditAuthorisationGranted, CreditAuthorisationRevoked
from xinyidai_shared.money import format_fen
from xinyidai_shared.uow import UnitOfWork

from ..adapters import consent_repo, dishonesty_repo, letters_repo, ratings_repo
from ..adapters.records_repo import records_for
from ..domain.periods import format_period, index_of
from ..domain.profiles import build_profile
from ..domain.scorecard import LENDING_GRADES, UNRATED

SOURCE_NAMES = {"water": "供水", "power": "供电", "gas": "燃气", "heating": "供热", "tax": "纳税", "social_insurance": "社会保险"}


async def check_access(uow: UnitOfWork, principal: Principal, uscc: str, ref: str | None, purpose: str, *, now: datetime) -> None:
    """Refuse a bank without a valid authorisation for this enterprise; everyone states a purpose.

    The rule is the shared one (``xinyidai_shared.consent``): claims applies it to the same facts.
    """
    require_purpose(purpose)
    if principal.role is not Role.BANK:
        return
    row = await consent_repo.authorisation_by_ref(uow.session, ref) if ref else None
    consent = None if row is None else Consent(row.ref, row.uscc, row.bank_id, row.valid_until, row.revoked_at is not None)
    check_bank_consent(consent, ref=ref, uscc=uscc, bank_id=principal.bank_id, today=business_date(now))


async def log_query(uow: UnitOfWork, principal: Principal, uscc: str, ref: str | None, purpose: str, fmt: str, *, now: datetime) -> None:
    """Remember who looked, when, why and under which authorisation."""
    values = {
        "uscc": uscc, "org_id": principal.org_id, "org_name": principal.name or principal.org_id,
        "role": str(principal.role), "purpose": purpose[:200], "authorisation_ref": ref if principal.role is Role.BANK else None,
        "format": fmt, "queried_at": now,
    }  # fmt: skip
    await consent_repo.log_query(uow.session, values)


def _coverage(profile: Any) -> list[dict[str, Any]]:
    rows = []
    for source, sp in sorted(profile.sources.items()):
        rows.append({
            "source": source, "source_name": SOURCE_NAMES[source], "months_covered": sp.months_covered,
            "latest_period": format_period(sp.latest_period) if sp.latest_period is not None else None,
            "on_time_12_pct": None if sp.on_time_12_bp is None else f"{sp.on_time_12_bp / 100:.1f}",
            "arrears": format_fen(sp.arrears_fen), "tax_grade": sp.tax_grade,
        })  # fmt: skip
    return rows


async def build_report(uow: UnitOfWork, uscc: str, *, now: datetime) -> dict[str, Any]:
    """The report's content: identity, grade and reasons, coverage, arrears, dishonesty, commitment letter."""
    session = uow.session
    current = await ratings_repo.rating_at(session, uscc, now)
    if current is None or current.grade == UNRATED:
        raise NotFound("REPORT_NOT_AVAILABLE", f"{uscc} is unrated: there is not enough data for a credit report")
    today = business_date(now)
    profile = build_profile(uscc, (await records_for(session, [uscc]))[uscc], as_of_period=index_of(today))
    identity = await letters_repo.identity(session, uscc)
    records = await dishonesty_repo.of_enterprise(session, uscc)
    latest_letter = await letters_repo.latest_letter(session, uscc)
    return {
        "report_id": str(uuid.uuid4()),
        "generated_at": now.isoformat(),
        "enterprise": {
            "uscc": uscc,
            "name": identity.name if identity else None,
            "legal_representative": identity.legal_representative if identity else None,
        },
        "rating": {
            "grade": current.grade, "score": current.score, "lends": current.grade in LENDING_GRADES,
            "model_version": current.model_version, "reason_codes": orjson.loads(current.reason_codes),
            "factors": orjson.loads(current.factors), "valid_from": current.valid_from.isoformat(),
        },  # fmt: skip
        "coverage": _coverage(profile),
        "arrears_total": format_fen(sum(sp.arrears_fen for sp in profile.sources.values())),
        "dishonesty_records": [
            {
                "record_id": r.record_id, "recorded_by": r.recorded_by, "reason": r.reason,
                "started_on": r.started_on.isoformat(), "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                "ended_on": r.ended_on.isoformat() if r.ended_on else None,
                "in_force": in_force(r.started_on, r.expires_on, r.ended_on, on=today),
            }  # fmt: skip
            for r in records
        ],
        "commitment_letter": {
            "status": latest_letter.status if latest_letter else "none",
            "sha256": latest_letter.sha256 if latest_letter else None,
            "uploaded_at": latest_letter.uploaded_at.isoformat() if latest_letter else None,
        },
    }


async def grant(uow: UnitOfWork, *, uscc: str, bank_id: str, purpose: str, valid_until: date, by: str) -> tuple[dict[str, Any], bool]:
    """An authorisation for one bank; the same open terms again return the existing reference."""
    if valid_until < today_shanghai():
        raise Invalid("AUTHORISATION_EXPIRED", "valid_until is in the past", field="valid_until")
    same = await consent_repo.open_authorisation(uow.session, uscc=uscc, bank_id=bank_id, purpose=purpose, valid_until=valid_until)
    if same is not None:
        return dict(same._mapping), False
    values = {"ref": f"AUTH-{secrets.token_hex(8).upper()}", "uscc": uscc, "bank_id": bank_id, "purpose": purpose,
              "valid_until": valid_until, "registered_by": by, "created_at": utcnow(), "announced": True}  # fmt: skip
    await consent_repo.add_authorisation(uow.session, values)
    # claims answers a bank's standing questions under the same consent, so it must hear of every grant.
    uow.publish(CreditAuthorisationGranted(uscc=uscc, ref=values["ref"], bank_id=bank_id, purpose=purpose,
                                           valid_until=valid_until, granted_at=values["created_at"]))
    return values, True


async def revoke(uow: UnitOfWork, ref: str, *, now: datetime) -> dict[str, Any]:
    """Withdraw an authorisation (the first withdrawal counts; again changes nothing); claims hears of it too."""
    row = await consent_repo.authorisation_by_ref(uow.session, ref)
    if row is None:
        raise NotFound("AUTHORISATION_NOT_FOUND", f"no authorisation {ref}")
    if row.revoked_at is not None:
        return dict(row._mapping)
    await consent_repo.revoke(uow.session, ref, now)
    uow.publish(CreditAuthorisationRevoked(uscc=row.uscc, ref=ref, bank_id=row.bank_id, revoked_at=now))
    return dict(row._mapping) | {"revoked_at": now}


async def announce_pending(uow: UnitOfWork, *, today: date) -> int:
    """Publish the authorisations given before claims heard of them (still usable ones); returns how many.

    Without this a bank's authorisation given before the consent rule was shared would read in credit-data
    and be refused in claims. A revoked or expired one is only marked: claims refuses what it never heard of.
    """
    rows = await consent_repo.unannounced_authorisations(uow.session)
    usable = [row for row in rows if row.revoked_at is None and row.valid_until >= today]
    for row in usable:
        uow.publish(CreditAuthorisationGranted(uscc=row.uscc, ref=row.ref, bank_id=row.bank_id, purpose=row.purpose,
                                               valid_until=row.valid_until, granted_at=row.created_at))
    if rows:
        await consent_repo.mark_announced(uow.session, [row.ref for row in rows])
    return len(usable)
