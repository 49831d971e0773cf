"""Loan handlers: registration with eligibility at issuance (one loan, or a batch of a core-system file), and the
bank's status reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from xinyidai_shared.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from xinyidai_shared.events import LoanRegistered
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc

from claims.adapters import banks_repo, loans_repo, standing_repo
from claims.domain.classification import Category
from claims.domain.dates import term_months
from claims.domain.bank import Product
from claims.domain.eligibility import Context, evaluate
from claims.domain.loan import Loan
from claims.domain.registration import Application
from claims.domain.standing import EnterpriseHistory

from .deps import Deps


@dataclass(frozen=True)
class Registration:
    """What became of one declared loan: ``registered`` now, ``unchanged`` (registered before with the same
    declaration) or ``refused`` (``error`` says why, naming the field)."""

    outcome: str
    loan_id: str | None = None
    covered: bool | None = None
    error: DomainError | None = None


async def register_loan(uow: UnitOfWork, deps: Deps, *, bank_id: str, application: Application) -> Loan:
    """Register a loan once per bank loan number (the route replays the first answer to the same body)."""
    session = uow.session
    existing = await loans_repo.by_bank_no(session, bank_id, application.bank_loan_no)
    if existing is not None:
        raise Conflict("LOAN_NO_TAKEN", f"loan number {application.bank_loan_no!r} is already registered as "
                       f"{existing.loan_id}", loan_id=existing.loan_id)
    await _admitted(session, deps, bank_id)
    product_id = application.product_id
    products = {product_id: await banks_repo.get_product(session, product_id)} if product_id is not None else {}
    _check(application, bank_id, products)
    history, earlier = await standing_repo.eligibility_inputs(session, application.facts.uscc)
    loan = _assess(deps, bank_id, application, history, earlier, at=deps.now())
    await loans_repo.add(session, loan)
    _publish(uow, loan)
    return loan


async def register_loans(uow: UnitOfWork, deps: Deps, *, bank_id: str,
                         applications: list[Application]) -> list[Registration]:
    """Register many loans in one transaction by the same rules as one (a bank's core-system file), in order.

    A number registered before is ``unchanged`` when declared the same, refused naming the first field that
    differs otherwise; so is a number repeated within the batch. Reads are batched (one query each for the
    numbers, the products and the enterprises' histories), so the batch costs a few round trips, not one per loan.
    """
    session = uow.session
    await _admitted(session, deps, bank_id)
    seen = await loans_repo.declared_by_bank_nos(session, bank_id, [a.bank_loan_no for a in applications])
    products = await banks_repo.products_by_id(session, {a.product_id for a in applications if a.product_id})
    inputs = await standing_repo.eligibility_inputs_many(
        session, {a.facts.uscc for a in applications if a.bank_loan_no not in seen})  # a file sent again reads none
    outcomes: list[Registration] = []
    fresh: list[Loan] = []
    at = deps.now()  # one registration time for the batch, as for one transaction
    checked_usccs: set[str] = set()
    for application in applications:
        known = seen.get(application.bank_loan_no)
        if known is not None:
            outcomes.append(_again(application, *known))
            continue
        try:
            _check(application, bank_id, products, checked_usccs)
        except DomainError as exc:
            outcomes.append(Registration("refused", error=exc))
            continue
        uscc = application.facts.uscc
        history, earlier = inputs[uscc]
        loan = _assess(deps, bank_id, application, history, earlier, at=at)
        inputs[uscc] = (history, earlier + 1)  # the next loan to the enterprise in this batch is not its first
        seen[application.bank_loan_no] = (loan.loan_id, loan.covered, application)
        fresh.append(loan)
        outcomes.append(Registration("registered", loan.loan_id, loan.covered))
    await loans_repo.add_many(session, fresh)
    for loan in fresh:
        _publish(uow, loan)
    return outcomes


def _again(application: Application, loan_id: str, covered: bool, declared: Application) -> Registration:
    difference = application.first_difference(declared)
    if difference is None:
        return Registration("unchanged", loan_id, covered)
    return Registration("refused", error=Conflict(
        "LOAN_NO_TAKEN", f"loan number {application.bank_loan_no!r} is registered as {loan_id} with another "
        f"{difference}; a registered loan changes only by its status reports", field=difference, loan_id=loan_id))


async def _admitted(session: AsyncSession, deps: Deps, bank_id: str) -> None:
    # Admission is never undone (a clawback stops claims, not registrations), so a bank seen admitted once
    # is remembered by this process and costs no query again.
    if bank_id not in deps.admitted_banks:
        if not await banks_repo.exists(session, bank_id):
            raise Forbidden("BANK_NOT_ADMITTED", f"bank {bank_id} has not joined the platform")
        deps.admitted_banks.add(bank_id)


def _check(application: Application, bank_id: str, products: dict[str, Product | None],
           checked_usccs: set[str] | None = None) -> None:
    """The declaration's own consistency: a valid USCC, maturity after issue, a product of this bank.
    ``checked_usccs`` remembers the codes found valid higher in a batch (a file repeats its enterprises)."""
    facts = application.facts
    if checked_usccs is None or facts.uscc not in checked_usccs:
        validate_uscc(facts.uscc)
        if checked_usccs is not None:
            checked_usccs.add(facts.uscc)
    if facts.matures_on <= facts.issued_on:
        raise Invalid("MATURITY_NOT_AFTER_ISSUE", "maturity must be after the issue date", field="matures_on")
    if application.product_id is not None:
        product = products.get(application.product_id)
        if product is None or product.bank_id != bank_id:
            raise Invalid("PRODUCT_UNKNOWN", f"bank {bank_id} has no product {application.product_id}",
                          field="product_id")


def _assess(deps: Deps, bank_id: str, application: Application, history: EnterpriseHistory, earlier: int, *,
            at: datetime) -> Loan:
    """The loan with its eligibility at issuance (every rule, none short-circuits)."""
    facts = application.facts
    applied = deps.rates.applied(facts.issued_on, term_months(facts.issued_on, facts.matures_on))
    profile = deps.profiles.in_force_on(facts.issued_on)
    ctx = Context(
        standing=history.standing_on(facts.issued_on), applied_rate=applied, profile=profile,
        earlier_loans_of_enterprise=earlier, city_divisions=deps.city_divisions,
    )
    return Loan(
        loan_id=deps.mint("ln"), bank_id=bank_id, bank_loan_no=application.bank_loan_no,
        principal_fen=application.principal_fen, facts=facts, purpose=application.purpose,
        product_id=application.product_id, applied_rate=applied, policy_profile=profile.name,
        checks=evaluate(facts, ctx).checks, registered_at=at, outstanding_fen=application.principal_fen,
    )


def _publish(uow: UnitOfWork, loan: Loan) -> None:
    facts = loan.facts
    uow.publish(LoanRegistered(
        loan_id=loan.loan_id, bank_id=loan.bank_id, uscc=facts.uscc, bank_loan_no=loan.bank_loan_no,
        principal_fen=loan.principal_fen, annual_rate_bp=facts.rate_ppm // 100, issued_on=facts.issued_on,
        matures_on=facts.matures_on, covered=loan.covered, first_loan=facts.first_loan,
        policy_profile=loan.policy_profile,
    ))


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
