"""Claims, their review steps, batches, objections and recoveries; nothing here commits."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from claims.domain.bank_messages import claim_state_changed
from claims.domain.claim import Batch, BatchState, Claim, ClaimState, Reason, Step
from claims.domain.compensation import Expected

from . import webhooks_repo
from .tables import batch as BT
from .tables import loan as LN
from .tables import claim as C
from .tables import claim_step as CS
from .tables import objection as O
from .tables import recovery as RC

LIVE = tuple(s.value for s in ClaimState if s is not ClaimState.REJECTED)
COMMITTED = (ClaimState.APPROVED.value, ClaimState.PAID.value, ClaimState.BLOCKED.value,
             ClaimState.AWAITING_NOTICE.value, ClaimState.ON_NOTICE.value)


def _reasons_json(reasons: tuple[Reason, ...]) -> str:
    return orjson.dumps([r.__dict__ for r in reasons]).decode()


def _reasons(text: str) -> tuple[Reason, ...]:
    return tuple(Reason(**r) for r in orjson.loads(text))


def _step(s: Any) -> Step:
    return Step(s.step, s.decision, s.by_org, s.at, s.note, _reasons(s.reasons), s.by_actor or "")


def _claim(row: Any, steps: list[Step]) -> Claim:
    expected = Expected(row.ratio_bp, row.by_ratio_fen, row.per_loan_cap_fen, row.bank_cap_fen,
                        row.bank_remaining_fen, row.expected_fen)
    return Claim(
        claim_id=row.claim_id, loan_id=row.loan_id, bank_id=row.bank_id, uscc=row.uscc, batch_id=row.batch_id,
        principal_at_loss_fen=row.principal_at_loss_fen, policy_profile=row.policy_profile, expected=expected,
        materials=tuple((m[0], m[1]) for m in orjson.loads(row.materials)), submitted_at=row.submitted_at,
        state=ClaimState(row.state), doubt=row.doubt, reasons=_reasons(row.reasons), approved_at=row.approved_at,
        paid_fen=row.paid_fen, paid_at=row.paid_at, paid_recorded_at=row.paid_recorded_at,
        transfer_id=row.transfer_id, blocked_reason=row.blocked_reason, steps=steps,
    )


def _values(c: Claim) -> dict[str, Any]:
    e = c.expected
    return dict(
        ratio_bp=e.ratio_bp, by_ratio_fen=e.by_ratio_fen, per_loan_cap_fen=e.per_loan_cap_fen,
        bank_cap_fen=e.bank_cap_fen, bank_remaining_fen=e.bank_remaining_fen, expected_fen=e.expected_fen,
        state=c.state.value, doubt=c.doubt, reasons=_reasons_json(c.reasons), approved_at=c.approved_at,
        paid_fen=c.paid_fen, paid_at=c.paid_at, paid_recorded_at=c.paid_recorded_at, transfer_id=c.transfer_id,
        blocked_reason=c.blocked_reason,
    )


async def add(session: AsyncSession, c: Claim) -> None:
    await session.execute(insert(C).values(
        claim_id=c.claim_id, loan_id=c.loan_id, bank_id=c.bank_id, uscc=c.uscc, batch_id=c.batch_id,
        principal_at_loss_fen=c.principal_at_loss_fen, policy_profile=c.policy_profile,
        materials=orjson.dumps([list(m) for m in c.materials]).decode(),
        submitted_at=c.submitted_at, **_values(c),
    ))
    await _tell_bank(session, c, None)


async def get(session: AsyncSession, claim_id: str, *, for_update: bool = False) -> Claim | None:
    """A claim with its review history."""
    query = select(C).where(C.c.claim_id == claim_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        return None
    step_rows = (await session.execute(select(CS).where(CS.c.claim_id == claim_id).order_by(CS.c.seq))).all()
    steps = [_step(s) for s in step_rows]
    return _claim(row, steps)


async def get_many(session: AsyncSession, claim_ids: list[str]) -> list[Claim]:
    """Claims with their review histories in two queries, in the order of ``claim_ids``."""
    if not claim_ids:
        return []
    rows = {r.claim_id: r for r in (await session.execute(select(C).where(C.c.claim_id.in_(claim_ids)))).all()}
    steps: dict[str, list[Step]] = {}
    for s in (await session.execute(select(CS).where(CS.c.claim_id.in_(claim_ids)).order_by(CS.c.seq))).all():
        steps.setdefault(s.claim_id, []).append(_step(s))
    return [_claim(rows[i], steps.get(i, [])) for i in claim_ids if i in rows]


async def _tell_bank(session: AsyncSession, c: Claim, previous_state: str | None) -> None:
    """Every state change of a claim is told to its bank, in the transaction of the change."""
    number = (await session.execute(select(LN.c.bank_loan_no).where(LN.c.loan_id == c.loan_id))).scalar_one_or_none()
    await webhooks_repo.tell(session, [claim_state_changed(c, previous_state=previous_state, bank_loan_no=number)])


async def save(session: AsyncSession, c: Claim) -> None:
    """Write the claim's state and append its new review steps; a change of state is told to the bank."""
    previous = (await session.execute(select(C.c.state).where(C.c.claim_id == c.claim_id))).scalar_one()
    await session.execute(update(C).where(C.c.claim_id == c.claim_id).values(**_values(c)))
    if previous != c.state.value:
        await _tell_bank(session, c, previous)
    if c.new_steps:
        await session.execute(insert(CS), [
            {"claim_id": c.claim_id, "step": s.step, "decision": s.decision, "by_org": s.by_org, "by_actor": s.by_actor or None, "at": s.at,
             "note": s.note, "reasons": _reasons_json(s.reasons)} for s in c.new_steps
        ])
        c.new_steps.clear()


async def live_for_loan(session: AsyncSession, loan_id: str) -> str | None:
    """The id of a claim on this loan that is not rejected, if any."""
    query = select(C.c.claim_id).where(C.c.loan_id == loan_id, C.c.state.in_(LIVE))
    return (await session.execute(query)).scalars().first()


async def committed_fen(session: AsyncSession, bank_id: str) -> int:
    """What the bank has approved, on notice or paid: the part of its cumulative cap already used."""
    paid = func.coalesce(C.c.paid_fen, C.c.expected_fen)
    query = select(func.coalesce(func.sum(paid), 0)).where(C.c.bank_id == bank_id, C.c.state.in_(COMMITTED))
    return int((await session.execute(query)).scalar_one())


async def ids_in_batch(session: AsyncSession, batch_id: str, *states: ClaimState) -> list[str]:
    query = select(C.c.claim_id).where(C.c.batch_id == batch_id).order_by(C.c.submitted_at, C.c.claim_id)
    if states:
        query = query.where(C.c.state.in_([s.value for s in states]))
    return list((await session.execute(query)).scalars())


async def list_rows(session: AsyncSession, *, bank_id: str | None, state: str | None, batch_id: str | None,
                    limit: int, offset: int) -> list[str]:
    query = select(C.c.claim_id).order_by(C.c.submitted_at.desc(), C.c.claim_id).limit(limit).offset(offset)
    for column, value in ((C.c.bank_id, bank_id), (C.c.state, state), (C.c.batch_id, batch_id)):
        if value is not None:
            query = query.where(column == value)
    return list((await session.execute(query)).scalars())


async def paid_rows(session: AsyncSession) -> list[Any]:
    """(loan_id, paid_at, paid_fen) of paid claims (statistics input)."""
    query = select(C.c.loan_id, C.c.paid_at, C.c.paid_fen).where(C.c.state == ClaimState.PAID.value)
    return list((await session.execute(query)).all())


# ---- batches --------------------------------------------------------------------------------------
def _batch(row: Any) -> Batch:
    return Batch(row.batch_id, row.opened_at, BatchState(row.state), row.closed_at, row.notice_starts_on,
                 row.notice_ends_on, row.notice_working_days)


async def open_batch(session: AsyncSession) -> Batch | None:
    row = (await session.execute(select(BT).where(BT.c.state == BatchState.OPEN.value))).first()
    return _batch(row) if row else None


async def get_batch(session: AsyncSession, batch_id: str, *, for_update: bool = False) -> Batch | None:
    query = select(BT).where(BT.c.batch_id == batch_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return _batch(row) if row else None


async def add_batch(session: AsyncSession, b: Batch) -> None:
    await session.execute(insert(BT).values(batch_id=b.batch_id, state=b.state.value, opened_at=b.opened_at,
                                            open_slot="open" if b.state is BatchState.OPEN else None))


async def save_batch(session: AsyncSession, b: Batch) -> None:
    await session.execute(update(BT).where(BT.c.batch_id == b.batch_id).values(
        state=b.state.value, open_slot="open" if b.state is BatchState.OPEN else None,
        closed_at=b.closed_at, notice_starts_on=b.notice_starts_on,
        notice_ends_on=b.notice_ends_on, notice_working_days=b.notice_working_days))


async def batches(session: AsyncSession) -> list[Batch]:
    return [_batch(r) for r in (await session.execute(select(BT).order_by(BT.c.opened_at.desc()))).all()]


# ---- objections and recoveries ---------------------------------------------------------------------
async def add_objection(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(O).values(**values))


async def get_objection(session: AsyncSession, objection_id: str) -> dict[str, Any] | None:
    row = (await session.execute(select(O).where(O.c.objection_id == objection_id))).first()
    return dict(row._mapping) if row else None


async def resolve_objection(session: AsyncSession, objection_id: str, **values: Any) -> None:
    await session.execute(update(O).where(O.c.objection_id == objection_id).values(**values))


async def objections(session: AsyncSession, claim_id: str) -> list[dict[str, Any]]:
    rows = (await session.execute(select(O).where(O.c.claim_id == claim_id).order_by(O.c.filed_at))).all()
    return [dict(r._mapping) for r in rows]


async def pending_objections_in_batch(session: AsyncSession, batch_id: str) -> int:
    query = (select(func.count()).select_from(O.join(C, O.c.claim_id == C.c.claim_id))
             .where(C.c.batch_id == batch_id, O.c.status == "pending"))
    return int((await session.execute(query)).scalar_one())


async def recovery_by_ref(session: AsyncSession, bank_id: str, bank_ref: str) -> dict[str, Any] | None:
    row = (await session.execute(select(RC).where(RC.c.bank_id == bank_id, RC.c.bank_ref == bank_ref))).first()
    return dict(row._mapping) if row else None


async def add_recovery(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(RC).values(**values))


async def recoveries(session: AsyncSession, claim_id: str) -> list[dict[str, Any]]:
    rows = (await session.execute(select(RC).where(RC.c.claim_id == claim_id).order_by(RC.c.recorded_at))).all()
    return [dict(r._mapping) for r in rows]
