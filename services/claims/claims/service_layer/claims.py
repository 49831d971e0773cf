"""Claim handlers: submission (art.14, 16), the review steps of art.17, and the fund's answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xinyidai_shared.errors import Conflict, DomainError, Invalid, NotFound
from xinyidai_shared.events import ClaimSubmitted, CompensationBlocked, CompensationPaid
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import banks_repo, claims_repo, loans_repo, standing_repo
from claims.domain.claim import Batch, Claim, ClaimState, Step, reason
from claims.domain.classification import Category
from claims.domain.compensation import expected_compensation
from claims.domain.eligibility import Context, RuleCheck, evaluate
from claims.domain.loan import Loan
from claims.domain.policy import Trigger, profile_named

from .deps import Deps
from .loans import load_own

REQUIRED_MATERIALS = ("art11_documents", "loan_proof")  # art.16.2 and 16.3; 16.1 is kept on the bank


@dataclass(frozen=True)
class Submission:
    claim: Claim
    checks: tuple[RuleCheck, ...]


async def _recheck(uow: UnitOfWork, deps: Deps, loan: Loan) -> tuple[RuleCheck, ...]:
    # Events that arrived late (a dishonesty record dated before issue) can change the verdict, so the
    # claim re-runs every rule for the issue date; loans registered after this one do not count, and
    # neither do changes dated the issue date that arrived after the loan was registered.
    history = await standing_repo.history(uow.session, loan.uscc)
    earlier = await loans_repo.count_for_enterprise(uow.session, loan.uscc, registered_before=loan.registered_at)
    ctx = Context(history.standing_on(loan.facts.issued_on, known_by=loan.registered_at), loan.applied_rate, profile_named(loan.policy_profile),
                  earlier, deps.city_divisions)
    return evaluate(loan.facts, ctx).checks


def _trigger_met(loan: Loan) -> tuple[bool, int]:
    profile = profile_named(loan.policy_profile)
    if profile.trigger is Trigger.LOSS:
        return loan.category is Category.LOSS, loan.principal_at_loss_fen or 0
    overdue = loan.days_past_due > 0 or loan.category is Category.LOSS
    return overdue, loan.principal_at_loss_fen or loan.outstanding_fen


def _check_materials(materials: tuple[tuple[str, str], ...]) -> None:
    kinds = {kind for kind, _ in materials}
    missing = [k for k in REQUIRED_MATERIALS if k not in kinds]
    if missing:
        raise Invalid("MATERIALS_MISSING", f"art.16 materials missing: {', '.join(missing)}", field="materials")


async def submit_claim(uow: UnitOfWork, deps: Deps, *, loan_id: str, bank_id: str,
                       materials: tuple[tuple[str, str], ...], institution_documents: dict[str, str]) -> Submission:
    """A bank claims for a covered loan that met its profile's trigger; the claim joins the open batch."""
    session = uow.session
    loan = await load_own(uow, loan_id, bank_id)
    live = await claims_repo.live_for_loan(session, loan_id)
    if live is not None:  # a resent request carries its Idempotency-Key and is replayed before it gets here
        raise Conflict("CLAIM_EXISTS", f"loan {loan_id} already has claim {live}", claim_id=live)
    bank = await banks_repo.get(session, bank_id, for_update=True)
    bank.ensure_may_claim(deps.today())
    _check_materials(materials)
    if institution_documents:
        bank.file_documents(institution_documents)
        await banks_repo.save_documents(session, bank, deps.now())
    if bank.missing_documents():
        raise Invalid("INSTITUTION_DOCUMENTS_MISSING", f"art.16.1 documents missing: {', '.join(bank.missing_documents())}",
                      field="institution_documents")
    checks = await _recheck(uow, deps, loan)
    failures = [c for c in checks if not c.passed]
    if failures:
        raise DomainError("LOAN_NOT_COVERED", "the loan is not covered: " + "; ".join(f"{c.article}: {c.detail}" for c in failures),
                       failures=[c.__dict__ for c in failures])
    met, principal_fen = _trigger_met(loan)
    if not met:
        trigger = profile_named(loan.policy_profile).trigger.value
        raise DomainError("CLAIM_TRIGGER_NOT_MET", f"the {loan.policy_profile} profile pays on {trigger}; the loan is {loan.category.value}")
    expected = expected_compensation(profile_named(loan.policy_profile), principal_fen,
                                     await claims_repo.committed_fen(session, bank_id))
    if expected.expected_fen == 0:
        raise DomainError("CAP_EXHAUSTED", "the bank's cumulative compensation cap (art.12) is used up")
    batch = await _open_batch(uow, deps)
    claim = Claim(claim_id=deps.mint("cl"), loan_id=loan_id, bank_id=bank_id, uscc=loan.uscc, batch_id=batch.batch_id,
                  principal_at_loss_fen=principal_fen, policy_profile=loan.policy_profile, expected=expected,
                  materials=materials, submitted_at=deps.now())
    await claims_repo.add(session, claim)
    uow.publish(ClaimSubmitted(claim_id=claim.claim_id, loan_id=loan_id, bank_id=bank_id, uscc=loan.uscc,
                               principal_at_loss_fen=principal_fen, expected_fen=expected.expected_fen))
    return Submission(claim, checks)


async def _open_batch(uow: UnitOfWork, deps: Deps) -> Batch:
    batch = await claims_repo.open_batch(uow.session)
    if batch is None:
        batch = Batch(deps.mint("bt"), deps.now())
        await claims_repo.add_batch(uow.session, batch)
    return batch


async def _load(uow: UnitOfWork, claim_id: str) -> Claim:
    claim = await claims_repo.get(uow.session, claim_id, for_update=True)
    if claim is None:
        raise NotFound("CLAIM_NOT_FOUND", f"no claim {claim_id}")
    uow.audit(before={"state": str(claim.state)}, claim_id=claim.claim_id, loan_id=claim.loan_id)
    return claim


async def _save(uow: UnitOfWork, claim: Claim) -> Claim:
    await claims_repo.save(uow.session, claim)
    uow.audit(after={"state": str(claim.state)}, claim_id=claim.claim_id, loan_id=claim.loan_id)
    for event in claim.events:
        uow.publish(event)
    claim.events.clear()
    return claim


def _step(deps: Deps, name: str, decision: str, by_org: str, by_actor: str, note: str,
          reasons: list[tuple[str, str]]) -> Step:
    return Step(name, decision, by_org, deps.now(), note, tuple(reason(code, text) for code, text in reasons), by_actor)


async def preliminary_review(uow: UnitOfWork, deps: Deps, *, claim_id: str, by_org: str, by_actor: str = "",
                             decision: str, note: str, reasons: list[tuple[str, str]]) -> Claim:
    """Leading-group office preliminary review (art.17.2): pass, doubt or reject."""
    claim = await _load(uow, claim_id)
    batch = await claims_repo.get_batch(uow.session, claim.batch_id)
    claim.preliminary_review(batch, decision, _step(deps, "preliminary_review", decision, by_org, by_actor, note, reasons))
    return await _save(uow, claim)


async def verify(uow: UnitOfWork, deps: Deps, *, claim_id: str, by_org: str, by_actor: str = "", decision: str,
                 note: str, reasons: list[tuple[str, str]]) -> Claim:
    """Verification by the financial development bureau / PBoC branch (art.17.2): confirm or reject."""
    claim = await _load(uow, claim_id)
    claim.verify(decision, _step(deps, "verification", decision, by_org, by_actor, note, reasons))
    return await _save(uow, claim)


async def approve(uow: UnitOfWork, deps: Deps, *, claim_id: str, by_org: str, by_actor: str = "", decision: str,
                  note: str, reasons: list[tuple[str, str]]) -> Claim:
    """Leading-group approval (art.17.2): approve for public notice, or reject."""
    claim = await _load(uow, claim_id)
    committed = await claims_repo.committed_fen(uow.session, claim.bank_id)
    expected = expected_compensation(profile_named(claim.policy_profile), claim.principal_at_loss_fen, committed)
    claim.approve_for_notice(decision, _step(deps, "approval", decision, by_org, by_actor, note, reasons), expected)
    return await _save(uow, claim)


async def compensation_paid(uow: UnitOfWork, event: CompensationPaid, *, recorded_at: datetime) -> None:
    """The fund paid: the claim shows paid, with the ledger's time and ours."""
    claim = await _load(uow, event.claim_id)
    if claim.state is ClaimState.PAID:
        return  # the same payment told twice (a replay under a new event id)
    claim.mark_paid(event.amount_fen, event.transfer_id, event.paid_at, recorded_at)
    await _save(uow, claim)


async def compensation_blocked(uow: UnitOfWork, event: CompensationBlocked) -> None:
    """The fund could not pay yet: the claim shows blocked with the ledger's reason."""
    claim = await _load(uow, event.claim_id)
    if claim.state is ClaimState.PAID:
        return  # a late block after the payment changes nothing
    claim.mark_blocked(event.reason_code, event.reason)
    await _save(uow, claim)
