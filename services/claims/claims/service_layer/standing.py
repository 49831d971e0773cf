"""Reading an enterprise's standing: the consent rule credit-data applies to the same facts, and a log of every read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyidai_shared.consent import check_bank_consent, require_purpose
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc

from claims.adapters import consent_repo, standing_repo
from claims.domain.standing import Standing

from .deps import Deps


@dataclass(frozen=True)
class Reader:
    """Who asks: the organisation, its role, the person acting; banks are held to the enterprise's consent."""

    org_id: str
    org_name: str
    role: str
    actor: str
    is_bank: bool


async def read_standing(uow: UnitOfWork, deps: Deps, *, reader: Reader, uscc: str, on: date | None,
                        purpose: str | None, authorisation_ref: str | None) -> Standing:
    """Listed, SME size, rating, report and dishonesty on a date; a bank needs the enterprise's authorisation.

    The grade and the dishonesty records are the credit facts credit-data guards with the enterprise's
    consent, so a bank sees them here under the same authorisation, and every read is logged as there.
    """
    validate_uscc(uscc)
    text = require_purpose(purpose)
    today = deps.today()
    if reader.is_bank:
        consent = await consent_repo.consent(uow.session, authorisation_ref) if authorisation_ref else None
        check_bank_consent(consent, ref=authorisation_ref, uscc=uscc, bank_id=reader.org_id, today=today)
    day = on or today
    standing = (await standing_repo.history(uow.session, uscc)).standing_on(day)
    await consent_repo.log_read(
        uow.session, uscc=uscc, org_id=reader.org_id, org_name=(reader.org_name or reader.org_id)[:200],
        role=reader.role, actor=reader.actor[:100], purpose=text,
        authorisation_ref=authorisation_ref if reader.is_bank else None, as_of=day, queried_at=deps.now(),
    )
    return standing
