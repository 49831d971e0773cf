"""Malicious-default reports: held for review, confirmed or rejected by the credit office, disputed by the enterprise.

One bank alone never puts an enterprise on the public dishonesty list: its report waits, unseen by the
public, until a credit officer confirms it (then the record is public for its five-year term) or rejects
it. The enterprise sees every report about itself and may dispute it; an open dispute must be decided
before the office can confirm, and an upheld dispute rejects a pending report or annuls a confirmed one.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from xinyidai_shared.clock import business_date
from xinyidai_shared.dishonesty import expiry_after_years
from xinyidai_shared.errors import NotFound
from xinyidai_shared.events import LoanDefaultedMaliciously, LoanDefaultedMaliciouslyV1
from xinyidai_shared.uow import UnitOfWork

from ..adapters import default_reports_repo as repo
from ..domain.default_reports import TERM_YEARS, DisputeStatus, ReportStatus, check_disputable, clean_text, decide, dispute_outcome
from ..domain.dishonesty import DishonestyTerms
from .dishonesty import annul, record_dishonesty


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8).upper()}"


async def receive(uow: UnitOfWork, event: LoanDefaultedMaliciouslyV1, *, now: datetime) -> bool:
    """Hold a bank's report for the credit office (once per loan): nothing public, no re-rating."""
    state = event if isinstance(event, LoanDefaultedMaliciously) else None  # version 1 carries no loan state
    return await repo.add_report(
        uow.session, report_id=_new_id("MDR"), loan_id=event.loan_id, bank_id=event.bank_id, uscc=event.uscc,
        detail=event.detail, reported_on=event.reported_on, days_past_due=state.days_past_due if state else None,
        category=state.category if state else None, outstanding_fen=state.outstanding_fen if state else None,
        status=ReportStatus.PENDING.value, received_at=now,
    )


def _decision(officer: str, actor: str, reason: str, now: datetime) -> dict[str, Any]:
    return {"decided_by": officer, "decided_actor": actor, "decision_reason": reason, "decided_at": now}


async def confirm(uow: UnitOfWork, report_id: str, *, officer: str, actor: str, reason: str, now: datetime) -> Any:
    """The credit office confirms: the dishonesty record is public from today for five years (DishonestyRecorded)."""
    row = await repo.report(uow.session, report_id, for_update=True)
    status = decide(ReportStatus(row.status), confirm=True, open_disputes=await repo.open_disputes(uow.session, report_id))
    text = clean_text(reason, "reason")
    record_id = row.record_id
    if record_id is None:  # a report from before review existed already carries its (public) record
        started = business_date(now)
        terms = DishonestyTerms(f"malicious default on loan {row.loan_id} reported by {row.bank_id}, confirmed by "
                                f"{officer}: {row.detail}"[:500], started, expiry_after_years(started, TERM_YEARS))
        record, _ = await record_dishonesty(uow, record_id=f"loan:{row.loan_id}", uscc=row.uscc, recorded_by=row.bank_id,
                                            kind="bank_default", terms=terms, now=now)
        record_id = record.record_id
    await repo.update_report(uow.session, report_id, status=status.value, record_id=record_id,
                             **_decision(officer, actor, text, now))
    return await repo.report(uow.session, report_id)


async def reject(uow: UnitOfWork, report_id: str, *, officer: str, actor: str, reason: str, now: datetime) -> Any:
    """The credit office rejects the report, with its reason; nothing becomes public."""
    row = await repo.report(uow.session, report_id, for_update=True)
    status = decide(ReportStatus(row.status), confirm=False, open_disputes=0)
    text = clean_text(reason, "reason")
    if row.record_id is not None:  # published before review existed: rejecting takes it back off the list
        await annul(uow, row.record_id, reason=f"report rejected on review: {text}"[:500], now=now)
    await repo.update_report(uow.session, report_id, status=status.value, **_decision(officer, actor, text, now))
    return await repo.report(uow.session, report_id)


async def file_dispute(uow: UnitOfWork, report_id: str, *, uscc: str, text: str, now: datetime) -> Any:
    """The enterprise disputes a report about itself (pending or confirmed), one dispute at a time."""
    row = await repo.report(uow.session, report_id, for_update=True)
    if row.uscc != uscc:  # another enterprise's report does not exist as far as this caller knows
        raise NotFound("REPORT_NOT_FOUND", f"no malicious-default report {report_id}")
    check_disputable(ReportStatus(row.status), await repo.open_disputes(uow.session, report_id))
    dispute_id = _new_id("DSP")
    await repo.add_dispute(uow.session, dispute_id=dispute_id, report_id=report_id, uscc=uscc,
                           text=clean_text(text, "text"), filed_by=uscc, filed_at=now, status=DisputeStatus.OPEN.value)
    return await repo.dispute(uow.session, dispute_id)


async def decide_dispute(uow: UnitOfWork, dispute_id: str, *, officer: str, actor: str, uphold: bool, reason: str,
                         now: datetime) -> Any:
    """The credit office decides a dispute; upheld, it rejects a pending report or annuls a confirmed record."""
    found = await repo.dispute(uow.session, dispute_id, for_update=True)
    row = await repo.report(uow.session, found.report_id, for_update=True)
    dispute_status, report_status = dispute_outcome(DisputeStatus(found.status), ReportStatus(row.status), uphold=uphold)
    text = clean_text(reason, "reason")
    await repo.update_dispute(uow.session, dispute_id, status=dispute_status.value, **_decision(officer, actor, text, now))
    if report_status.value != row.status:
        if report_status is ReportStatus.ANNULLED and row.record_id:
            await annul(uow, row.record_id, reason=f"dispute upheld: {text}"[:500], now=now)
        await repo.update_report(uow.session, row.report_id, status=report_status.value,
                                 **_decision(officer, actor, f"dispute {dispute_id} upheld: {text}", now))
    return await repo.dispute(uow.session, dispute_id)
