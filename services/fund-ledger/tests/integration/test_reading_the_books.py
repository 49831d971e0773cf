"""Reading the books: balance at a past instant, overdue dues, leverage, low-cash warning, policy profile."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.consumer import apply_once
from xinyidai_shared.events import LoanRegistered, LoanRepaid

from fund_ledger.adapters.tables import due, transfer
from fund_ledger.domain.policy import profile_named
from fund_ledger.service_layer.handlers import event_handlers
from fund_ledger.service_layer.money_in import record_fiscal_revenue
from fund_ledger.service_layer.queries import balance_at, leverage, list_dues
from fund_ledger.service_layer.rules import LedgerRules

from ..conftest import RULES, YUAN, deposit_capital, approved, interest, wrap

pytestmark = pytest.mark.asyncio


async def deliver(uow_factory, payload, rules=RULES):
    made = []

    def factory():
        made.append(uow_factory())
        return made[-1]

    envelope = wrap(payload)
    await apply_once(factory, event_handlers(rules)[envelope.type], envelope, envelope.decode())
    return [e for u in made for e in u.published]


async def capital(uow_factory, amount_fen):
    async with uow_factory() as uow:
        await deposit_capital(uow, amount_fen, "cap")
        await uow.commit()
        return uow.published


async def test_balance_at_a_past_instant_ignores_later_transfers(db, uow_factory):
    await capital(uow_factory, 1_000 * YUAN)
    await deliver(uow_factory, approved("clm-t", principal_fen=1_000 * YUAN))
    past = datetime(2026, 1, 1, tzinfo=UTC)
    async with uow_factory() as uow:  # date the deposit back to January, the compensation stays today
        await uow.session.execute(update(transfer).where(transfer.c.client_ref == "cap").values(posted_at=past, created_at=past))
        await uow.commit()
    async with db.read_session() as s:
        then = await balance_at(s, "cash", past + timedelta(days=1))
        before = await balance_at(s, "cash", past - timedelta(seconds=1))
        now = await balance_at(s, "cash", None)
    assert (before["balance_fen"], then["balance_fen"], now["balance_fen"]) == (0, 1_000 * YUAN, 700 * YUAN)


async def test_contribution_past_its_date_shows_overdue_until_paid(db, uow_factory):
    await deliver(uow_factory, interest("bank-a", income_fen=10_000 * YUAN, report_id="ir-late"))
    async with uow_factory() as uow:
        await uow.session.execute(update(due).values(due_on=today_shanghai() - timedelta(days=1)))
        await uow.commit()
    async with db.read_session() as s:
        overdue = await list_dues(s, today=today_shanghai(), overdue_only=True)
    assert [(d["id"], d["outstanding_fen"], d["overdue"]) for d in overdue] == [("contribution:ir-late", 500 * YUAN, True)]


async def test_leverage_is_covered_principal_outstanding_over_cash(db, uow_factory):
    await capital(uow_factory, 1_000_000 * YUAN)
    loan = dict(bank_id="bank-a", uscc="91211382MA0Y8G8L7T", bank_loan_no="N1", annual_rate_bp=435,
                issued_on=datetime(2026, 1, 5).date(), matures_on=datetime(2027, 1, 5).date(), first_loan=True, policy_profile="measures")
    await deliver(uow_factory, LoanRegistered(loan_id="L1", principal_fen=3_000_000 * YUAN, covered=True, **loan))
    await deliver(uow_factory, LoanRegistered(loan_id="L2", principal_fen=500_000 * YUAN, covered=False, **loan))
    await deliver(uow_factory, LoanRegistered(loan_id="L3", principal_fen=1_000_000 * YUAN, covered=True, **loan))
    await deliver(uow_factory, LoanRepaid(loan_id="L3", bank_id="bank-a", uscc="91211382MA0Y8G8L7T", amount_fen=500_000 * YUAN,
                                         outstanding_fen=500_000 * YUAN, settled=False, repaid_on=datetime(2026, 6, 1).date()))
    async with db.read_session() as s:
        figures = await leverage(s)
    assert (figures["covered_principal_outstanding_fen"], figures["leverage"]) == (3_500_000 * YUAN, "3.5000")


async def test_payment_taking_cash_below_the_threshold_publishes_fund_balance_low(db, uow_factory):
    await capital(uow_factory, 1_200_000 * YUAN)  # threshold in tests: 1,000,000 yuan
    events = await deliver(uow_factory, approved(principal_fen=1_000_000 * YUAN))
    low = [e.payload for e in events if e.type == "FundBalanceLow"]
    assert [(p["cash_fen"], p["threshold_fen"]) for p in low] == [(900_000 * YUAN, 1_000_000 * YUAN)]


async def test_plan_profile_makes_thirty_percent_of_revenue_due(db, uow_factory):
    plan = LedgerRules(profile=profile_named("plan"))
    async with uow_factory() as uow:
        row = await record_fiscal_revenue(uow, year=2027, revenue_fen=1_000_000 * YUAN, rules=plan)
        await uow.commit()
    assert (row.amount_fen, row.rate_bp) == (300_000 * YUAN, 3000)
