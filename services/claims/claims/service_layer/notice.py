"""Batches and the public notice (art.17.1, 17.3): close, notice, objections, conclusion."""

from __future__ import annotations

from datetime import date

from xinyidai_shared.errors import Conflict, Invalid, NotFound
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import calendar_repo, claims_repo
from claims.domain.claim import Batch, ClaimState, Step, reason

from .deps import Deps

UNDECIDED = (ClaimState.SUBMITTED, ClaimState.AWAITING_VERIFICATION, ClaimState.AWAITING_APPROVAL)


async def _batch(uow: UnitOfWork, batch_id: str) -> Batch:
    batch = await claims_repo.get_batch(uow.session, batch_id, for_update=True)
    if batch is None:
        raise NotFound("BATCH_NOT_FOUND", f"no batch {batch_id}")
    return batch


async def close_batch(uow: UnitOfWork, deps: Deps, *, batch_id: str) -> Batch:
    """Close the open batch for review; claims filed from now on open the next one."""
    batch = await _batch(uow, batch_id)
    batch.close(deps.now())
    await claims_repo.save_batch(uow.session, batch)
    return batch


async def start_notice(uow: UnitOfWork, deps: Deps, *, batch_id: str, by_org: str, by_actor: str = "",
                       starts_on: date | None = None) -> Batch:
    """Put the batch's approved claims on public notice from ``starts_on`` (default today); all must be decided.

    The last day counts working days on the calendar officers maintain in whitelist (WorkingCalendarChanged).
    """
    batch = await _batch(uow, batch_id)
    undecided = await claims_repo.ids_in_batch(uow.session, batch_id, *UNDECIDED)
    if undecided:
        raise Conflict("BATCH_UNDECIDED", f"{len(undecided)} claim(s) still under review", claim_ids=undecided[:50])
    first = starts_on or deps.today()
    ends_on = deps.notice_end(first, await calendar_repo.overrides(uow.session))
    batch.start_notice(first, ends_on, deps.notice_working_days, today=deps.today())
    await claims_repo.save_batch(uow.session, batch)
    for claim_id in await claims_repo.ids_in_batch(uow.session, batch_id, ClaimState.AWAITING_NOTICE):
        claim = await claims_repo.get(uow.session, claim_id, for_update=True)
        claim.put_on_notice(Step("notice", "published", by_org, deps.now(), f"notice {first} to {batch.notice_ends_on}",
                                 by_actor=by_actor))
        await claims_repo.save(uow.session, claim)
    return batch


async def conclude_notice(uow: UnitOfWork, deps: Deps, *, batch_id: str, by_org: str,
                          by_actor: str = "") -> tuple[Batch, list[str]]:
    """After the notice, every claim still on notice is approved (ClaimApproved); returns their ids."""
    batch = await _batch(uow, batch_id)
    if await claims_repo.pending_objections_in_batch(uow.session, batch_id):
        raise Conflict("OBJECTIONS_PENDING", "resolve every objection before concluding the notice")
    batch.finish(deps.today())
    await claims_repo.save_batch(uow.session, batch)
    approved = await claims_repo.ids_in_batch(uow.session, batch_id, ClaimState.ON_NOTICE)
    for claim_id in approved:
        claim = await claims_repo.get(uow.session, claim_id, for_update=True)
        claim.conclude_notice(Step("notice", "concluded", by_org, deps.now(), "no upheld objection", by_actor=by_actor),
                              deps.now())
        await claims_repo.save(uow.session, claim)
        for event in claim.events:
            uow.publish(event)
    return batch, approved


async def file_objection(uow: UnitOfWork, deps: Deps, *, claim_id: str, text: str, contact: str) -> str:
    """Anyone may object to a claim on notice until the notice's last day."""
    claim = await claims_repo.get(uow.session, claim_id)
    if claim is None:
        raise NotFound("CLAIM_NOT_FOUND", f"no claim {claim_id}")
    batch = await claims_repo.get_batch(uow.session, claim.batch_id)
    if claim.state is not ClaimState.ON_NOTICE or not batch.objections_open(deps.today()):
        raise Conflict("NOT_ON_NOTICE", f"claim {claim_id} is not on public notice")
    if not text.strip():
        raise Invalid("TEXT_REQUIRED", "say what the objection is", field="text")
    objection_id = deps.mint("ob")
    await claims_repo.add_objection(uow.session, objection_id=objection_id, claim_id=claim_id, text=text.strip(),
                                    contact=contact, filed_at=deps.now(), status="pending")
    return objection_id


async def resolve_objection(uow: UnitOfWork, deps: Deps, *, objection_id: str, by_org: str, decision: str,
                            note: str) -> dict:
    """Leading-group office: an upheld objection rejects the claim (art.17.3); a dismissed one does not."""
    objection = await claims_repo.get_objection(uow.session, objection_id)
    if objection is None:
        raise NotFound("OBJECTION_NOT_FOUND", f"no objection {objection_id}")
    if objection["status"] != "pending":
        raise Conflict("OBJECTION_RESOLVED", f"objection {objection_id} is already {objection['status']}")
    if decision not in ("upheld", "dismissed") or not note.strip():
        raise Invalid("RESOLUTION_INVALID", "decision must be upheld or dismissed, with a note", field="decision")
    if decision == "upheld":
        claim = await claims_repo.get(uow.session, objection["claim_id"], for_update=True)
        why = (reason("OBJECTION_UPHELD", note),)
        claim.uphold_objection(Step("objection", "upheld", by_org, deps.now(), note, why))
        await claims_repo.save(uow.session, claim)
        for event in claim.events:
            uow.publish(event)
    values = {"status": decision, "resolved_by": by_org, "resolution": note.strip(), "resolved_at": deps.now()}
    await claims_repo.resolve_objection(uow.session, objection_id, **values)
    return {**objection, **values}
