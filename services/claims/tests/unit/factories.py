"""Builders for domain objects in unit tests (each test states only what it is about)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from xinyidai_shared.uscc import make_uscc

from claims.domain.eligibility import Context, LoanFacts, LoanType, Purpose
from claims.domain.policy import MEASURES
from claims.domain.rates import ReferenceRates, default_tables
from claims.domain.standing import Standing

USCC = make_uscc("MA0000001")
ISSUED = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def facts(**changes) -> LoanFacts:
    base = LoanFacts(
        uscc=USCC, rate_ppm=30_000, issued_on=ISSUED, matures_on=date(2027, 3, 2),
        purpose_category=Purpose.WORKING_CAPITAL, loan_type=LoanType.PURE_CREDIT,
        through_platform=True, first_loan=True,
    )
    return replace(base, **changes)


def standing(**changes) -> Standing:
    base = Standing(on=ISSUED, listed=True, sme_size="small", grade="A", has_report=True, dishonesty_ids=())
    return replace(base, **changes)


def context(loan: LoanFacts | None = None, **changes) -> Context:
    loan = loan or facts()
    from claims.domain.dates import term_months

    applied = ReferenceRates(default_tables()).applied(loan.issued_on, term_months(loan.issued_on, loan.matures_on))
    base = Context(
        standing=standing(on=loan.issued_on), applied_rate=applied, profile=MEASURES,
        earlier_loans_of_enterprise=0, city_divisions=frozenset({"211382"}),
    )
    return replace(base, **changes)
