"""Bank handlers: admission, documents, products, yearly interest income, clawback, recoveries."""

from __future__ import annotations

from datetime import date

from xinyidai_shared.errors import Conflict, Invalid, NotFound
from xinyidai_shared.events import InterestIncomeReported, RecoveryReported
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import banks_repo, claims_repo
from claims.domain.bank import Bank, ClawbackProposal, Product
from claims.domain.claim import ClaimState

from .deps import Deps


async def admit_bank(uow: UnitOfWork, deps: Deps, *, bank_id: str, name: str, admitted_on: date, agreement_ref: str,
                     documents: dict[str, str]) -> Bank:
    """Admit a bank once (bank id is the natural key: the route replays the first answer to the same body)."""
    if await banks_repo.get(uow.session, bank_id) is not None:
        raise Conflict("BANK_EXISTS", f"bank {bank_id} is already admitted")
    if not agreement_ref.strip():
        raise Invalid("AGREEMENT_REQUIRED", "the cooperation agreement reference is required", field="agreement_ref")
    bank = Bank(bank_id, name, admitted_on, agreement_ref)
    bank.file_documents(documents)
    await banks_repo.add(uow.session, bank, deps.now())
    return bank


async def _bank(uow: UnitOfWork, bank_id: str, *, for_update: bool = False) -> Bank:
    bank = await banks_repo.get(uow.session, bank_id, for_update=for_update)
    if bank is None:
        raise NotFound("BANK_NOT_FOUND", f"no bank {bank_id}")
    return bank


async def file_documents(uow: UnitOfWork, deps: Deps, *, bank_id: str, documents: dict[str, str]) -> Bank:
    """Keep the bank's institution documents (art.16.1) by kind."""
    bank = await _bank(uow, bank_id, for_update=True)
    bank.file_documents(documents)
    await banks_repo.save_documents(uow.session, bank, deps.now())
    return bank


async def publish_product(uow: UnitOfWork, deps: Deps, *, bank_id: str, name: str, description: str,
                          max_amount_fen: int, max_term_months: int) -> Product:
    """Publish a loan product (Plan 4.2.3); the bank's product name is the natural key."""
    await _bank(uow, bank_id)
    if await banks_repo.product_by_name(uow.session, bank_id, name) is not None:
        raise Conflict("PRODUCT_EXISTS", f"product {name!r} is already published")
    candidate = Product(deps.mint("pr"), bank_id, name, description, max_amount_fen, max_term_months, deps.today())
    if max_amount_fen <= 0 or max_term_months <= 0:
        raise Invalid("PRODUCT_LIMITS_INVALID", "amount and term limits must be positive", field="max_amount")
    await banks_repo.add_product(uow.session, candidate)
    return candidate


async def report_interest_income(uow: UnitOfWork, deps: Deps, *, bank_id: str, year: int,
                                 interest_income_fen: int) -> dict:
    """Yearly interest income from these loans (art.7: 5% goes to the fund), once per bank and year."""
    await _bank(uow, bank_id)
    if await banks_repo.interest_report(uow.session, bank_id, year) is not None:
        raise Conflict("INTEREST_ALREADY_REPORTED", f"{year} was already reported")
    if not 2000 <= year <= deps.today().year:
        raise Invalid("YEAR_INVALID", f"{year} is not a past or current year", field="year")
    values = {"report_id": deps.mint("ii"), "bank_id": bank_id, "year": year,
              "interest_income_fen": interest_income_fen, "reported_at": deps.now()}
    await banks_repo.add_interest_report(uow.session, **values)
    uow.publish(InterestIncomeReported(report_id=values["report_id"], bank_id=bank_id, year=year,
                                       interest_income_fen=interest_income_fen))
    return values


async def propose_clawback(uow: UnitOfWork, deps: Deps, *, bank_id: str, reason: str, by: str) -> ClawbackProposal:
    """A finance-bureau officer proposes an art.19 clawback; nothing happens until another officer confirms."""
    bank = await _bank(uow, bank_id, for_update=True)
    if bank.clawed_back_at is not None:
        raise Conflict("CLAWBACK_ALREADY_ORDERED", f"bank {bank_id} was clawed back at {bank.clawed_back_at}")
    text = reason.strip()
    if not text:
        raise Invalid("REASON_REQUIRED", "a clawback needs its reason", field="reason")
    open_one = await banks_repo.open_clawback_proposal(uow.session, bank_id)
    if open_one is not None:
        if (open_one.reason, open_one.proposed_by) == (text, by):
            return open_one  # the same proposal sent again
        raise Conflict("CLAWBACK_ALREADY_PROPOSED", f"proposal {open_one.proposal_id} awaits a second officer",
                       proposal_id=open_one.proposal_id)
    proposal = ClawbackProposal(deps.mint("cp"), bank_id, text, by, deps.now())
    await banks_repo.add_clawback_proposal(uow.session, proposal)
    return proposal


async def _open_proposal(uow: UnitOfWork, bank: Bank) -> ClawbackProposal:
    proposal = await banks_repo.open_clawback_proposal(uow.session, bank.bank_id)
    if proposal is None:
        if bank.clawed_back_at is not None:
            raise Conflict("CLAWBACK_ALREADY_ORDERED", f"bank {bank.bank_id} was clawed back at {bank.clawed_back_at}")
        raise NotFound("CLAWBACK_NOT_PROPOSED", f"no clawback of bank {bank.bank_id} awaits confirmation")
    return proposal


async def confirm_clawback(uow: UnitOfWork, deps: Deps, *, bank_id: str, by: str) -> Bank:
    """A second finance-bureau officer confirms (art.19): all compensation is clawed back (ClawbackOrdered)."""
    bank = await _bank(uow, bank_id, for_update=True)
    proposal = await _open_proposal(uow, bank)
    clawback_id = deps.mint("cb")
    proposal.confirm(bank, clawback_id=clawback_id, by=by, at=deps.now())
    await banks_repo.save_clawback_proposal(uow.session, proposal)
    await banks_repo.save_clawback(uow.session, bank, clawback_id, by)
    for event in bank.events:
        uow.publish(event)
    return bank


async def reject_clawback(uow: UnitOfWork, deps: Deps, *, bank_id: str, by: str, note: str) -> ClawbackProposal:
    """Another finance-bureau officer declines the proposal; the bank keeps its eligibility."""
    bank = await _bank(uow, bank_id, for_update=True)
    proposal = await _open_proposal(uow, bank)
    proposal.reject(by=by, at=deps.now(), note=note)
    await banks_repo.save_clawback_proposal(uow.session, proposal)
    return proposal


async def report_recovery(uow: UnitOfWork, deps: Deps, *, claim_id: str, bank_id: str, bank_ref: str,
                          recovered_fen: int, costs_fen: int, reported_on: date) -> dict:
    """Amounts recovered after compensation (art.15), once per bank reference (RecoveryReported)."""
    # The bank's reference names one recovery of one claim (the route replays the same report).
    if await claims_repo.recovery_by_ref(uow.session, bank_id, bank_ref) is not None:
        raise Conflict("RECOVERY_REF_REUSED", f"recovery {bank_ref!r} is already reported")
    claim = await claims_repo.get(uow.session, claim_id)
    if claim is None or claim.bank_id != bank_id:
        raise NotFound("CLAIM_NOT_FOUND", f"no claim {claim_id}")
    if claim.state is not ClaimState.PAID:
        raise Conflict("CLAIM_NOT_COMPENSATED", "recoveries are shared only on compensated loans (art.15)")
    if recovered_fen <= 0 or costs_fen < 0:
        raise Invalid("RECOVERY_AMOUNTS_INVALID", "recovered must be positive and costs not negative", field="recovered")
    values = {"recovery_id": deps.mint("rc"), "claim_id": claim_id, "bank_id": bank_id, "bank_ref": bank_ref,
              "recovered_fen": recovered_fen, "costs_fen": costs_fen, "reported_on": reported_on,
              "recorded_at": deps.now()}
    await claims_repo.add_recovery(uow.session, **values)
    uow.publish(RecoveryReported(claim_id=claim_id, loan_id=claim.loan_id, bank_id=bank_id, uscc=claim.uscc,
                                 recovery_id=values["recovery_id"], recovered_fen=recovered_fen,
                                 costs_fen=costs_fen, reported_on=reported_on))
    return values
