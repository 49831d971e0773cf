"""Loan handlers: registration with eligibility at issuance, and the bank's status reports."""

from __future__ import annotations

from datetime import date

from xinyidai_shared.errors import Conflict, Forbidden, Invalid, NotFound
from xinyidai_shared.events import LoanRegistered
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc

from claims.adapters import banks_repo, loans_repo, standing_repo
from claims.domain.classification import Category
from claims.domain.dates import term_months
from claims.domain.eligibility import Context, LoanFacts, evaluate
from claims.domain.loan import Loan

from .deps import Deps


async def register_loan(
    uow: UnitOfWork, deps: Deps, *, bank_id: str, bank_loan_no: str, principal_fen: int, facts: LoanFacts,
    purpose: str, product_id: str | None,
) -> Loan:
    """Register a loan once per bank loan number (the route replays the first answer to the same body)."""
    session = uow.session
    existing = await loans_repo.by_bank_no(session, bank_id, bank_loan_no)
    if existing is not None:
        raise Conflict("LOAN_NO_TAKEN", f"loan number {bank_loan_no!r} is already registered as {existing.loan_id}",
                       loan_id=existing.loan_id)
    # Admission is never undone (a clawback stops claims, not registrations), so a bank seen admitted once
    # is remembered by this process and costs no query again.
    if bank_id not in deps.admitted_banks:
        if not await banks_repo.exists(session, bank_id):
            raise Forbidden("BANK_NOT_ADMITTED", f"bank {bank_id} has not joined the platform")
        deps.admitted_banks.add(bank_id)
    validate_uscc(facts.uscc)
    if facts.matures_on <= facts.issued_on:
        raise Invalid("MATURITY_NOT_AFTER_ISSUE", "maturity must be after the issue date", field="matures_on")
    if product_id is not None:
        product = await banks_repo.get_product(session, product_id)
        if product is None or product.bank_id != bank_id:
            raise Invalid("PRODUCT_UNKNOWN", f"bank {bank_id} has no product {product_id}", field="product_id")
    loan = await _assess(uow, deps, bank_id=bank_id, bank_loan_no=bank_loan_no, principal_fen=principal_fen,
                         facts=facts, purpose=purpose, product_id=product_id)
    await loans_repo.add(session, loan)
    uow.publish(LoanRegistered(
        loan_id=loan.loan_id, bank_id=bank_id, uscc=facts.uscc, bank_loan_no=bank_loan_no,
        principal_fen=principal_fen, annual_rate_bp=facts.rate_ppm // 100, issued_on=facts.issued_on,
        matures_on=facts.matures_on, covered=loan.covered, first_loan=facts.first_loan,
        policy_profile=loan.policy_profile,
    ))
    return loan


async def _assess(uow: UnitOfWork, deps: Deps, *, bank_id: str, bank_loan_no: str, principal_fen: int,
                  facts: LoanFacts, purpose: str, product_id: str | None) -> Loan:
    session = uow.session
    applied = deps.rates.applied(facts.issued_on, term_months(facts.issued_on, facts.matures_on))
    profile = deps.profiles.in_force_on(facts.issued_on)
    history, earlier = await standing_repo.eligibility_inputs(session, facts.uscc)
    ctx = Context(
        standing=history.standing_on(facts.issued_on), applied_rate=applied, profile=profile,
        earlier_loans_of_enterprise=earlier, city_divisions=deps.city_divisions,
    )
    return Loan(
        loan_id=deps.mint("ln"), bank_id=bank_id, bank_loan_no=bank_loan_no, principal_fen=principal_fen,
        facts=facts, purpose=purpose, product_id=product_id, applied_rate=applied, policy_profile=profile.name,
        checks=evaluate(facts, ctx).checks, registered_at=deps.now(), outstanding_fen=principal_fen,
    )


async def load_own(uow: UnitOfWork, loan_id: str, bank_id: str | None) -> Loan:
    """A loan locked for update; a bank may only touch its own."""
    loan = await loans_repo.get(uow.session, loan_id, for_update=True)
    if loan is None:
        raise NotFound("LOAN_NOT_FOUND", f"no loan {loan_id}")
    if bank_id is not None and loan.bank_id != bank_id:
        raise Forbidden("NOT_YOUR_LOAN", f"loan {loan_id} belongs to another bank")
    return loan


async def _commit_status(uow: UnitOfWork, deps: Deps, loan: Loan, source: str) -> Loan:
    await loans_repo.save(uow.session, loan, source=source, at=deps.now())
    for event in loan.events:
        uow.publish(event)
    loan.events.clear()
    return loan


async def report_repayment(uow: UnitOfWork, deps: Deps, *, loan_id: str, bank_id: str, amount_fen: int,
                           repaid_on: date, ref: str, source: str = "api") -> Loan:
    """A repayment of principal, once per bank reference (LoanRepaid; settles the loan at zero)."""
    loan = await load_own(uow, loan_id, bank_id)
    earlier = await loans_repo.record_by_ref(uow.session, loan_id, ref)
    if earlier is not None:
        if (earlier.amount_fen, earlier.as_of) != (amount_fen, repaid_on):
            raise Conflict("REPAYMENT_REF_REUSED", f"repayment {ref!r} was reported with another amount or date")
        return loan
    loan.repay(amount_fen, repaid_on, ref)
    return await _commit_status(uow, deps, loan, source)


async def report_overdue(uow: UnitOfWork, deps: Deps, *, loan_id: str, bank_id: str, days_past_due: int,
                         overdue_principal_fen: int, as_of: date, source: str = "api") -> Loan:
    """Days past due as of a date (LoanOverdue when overdue)."""
    loan = await load_own(uow, loan_id, bank_id)
    loan.report_overdue(days_past_due, overdue_principal_fen, as_of)
    return await _commit_status(uow, deps, loan, source)


async def report_classification(uow: UnitOfWork, deps: Deps, *, loan_id: str, bank_id: str, category: Category,
                                as_of: date, source: str = "api") -> Loan:
    """Five-category classification (LoanClassifiedAsLoss on loss); better than the floor is flagged."""
    loan = await load_own(uow, loan_id, bank_id)
    loan.classify(category, as_of)
    return await _commit_status(uow, deps, loan, source)


async def report_settled(uow: UnitOfWork, deps: Deps, *, loan_id: str, bank_id: str, settled_on: date,
                         source: str = "api") -> Loan:
    """The loan is settled: whatever was outstanding was repaid."""
    loan = await load_own(uow, loan_id, bank_id)
    loan.settle(settled_on)
    return await _commit_status(uow, deps, loan, source)


async def report_malicious_default(uow: UnitOfWork, deps: Deps, *, loan_id: str, bank_id: str, detail: str,
                                   reported_on: date, source: str = "api") -> Loan:
    """A malicious-default report for the credit office's review (LoanDefaultedMaliciously); the same again replays."""
    loan = await load_own(uow, loan_id, bank_id)
    if loan.malicious_default_on is not None:
        earlier = await loans_repo.last_record(uow.session, loan_id, "malicious_default")
        if earlier is not None and (earlier.detail, earlier.as_of) == (detail.strip(), reported_on):
            return loan  # the same report again (a retry): nothing new
    loan.report_malicious_default(detail, reported_on)
    return await _commit_status(uow, deps, loan, source)
