"""Compensation on a real SQLite database: caps, queue, events, idempotency (art.12; docs/DESIGN.md §2)."""

import pytest
from sqlalchemy import select
from xinyidai_shared.consumer import apply_once

from fund_ledger.adapters import books
from fund_ledger.adapters.tables import bank_position, compensation
from fund_ledger.domain.accounts import CASH
from fund_ledger.service_layer.handlers import event_handlers

from ..conftest import RULES, YUAN, deposit_capital, pay_due, approved, wrap

pytestmark = pytest.mark.asyncio
HANDLERS = event_handlers(RULES)


async def deposit(uow_factory, amount_fen, tid="cap-1"):
    async with uow_factory() as uow:
        result = await deposit_capital(uow, amount_fen, tid)
        await uow.commit()
        return result, uow.published


async def deliver(uow_factory, envelope):
    published = []

    def factory():
        uow = uow_factory()
        published.append(uow)
        return uow

    await apply_once(factory, HANDLERS[envelope.type], envelope, envelope.decode())
    return [e for u in published for e in u.published]


async def cash(db):
    async with db.read_session() as s:
        return await books.balance_posted(s, CASH)


async def test_initial_capital_publishes_fund_deposited(db, uow_factory):
    _, events = await deposit(uow_factory, 10_000_000 * YUAN)
    assert [(e.type, e.payload["amount_fen"], e.payload["kind"]) for e in events] == [
        ("FundDeposited", 10_000_000 * YUAN, "initial_capital")
    ]


async def test_approved_claim_is_paid_thirty_percent_and_publishes_compensation_paid(db, uow_factory):
    await deposit(uow_factory, 10_000_000 * YUAN)
    events = await deliver(uow_factory, wrap(approved(principal_fen=1_000_000 * YUAN)))
    paid = [e for e in events if e.type == "CompensationPaid"]
    assert len(paid) == 1 and paid[0].payload["amount_fen"] == 300_000 * YUAN
    assert await cash(db) == 9_700_000 * YUAN


async def test_duplicated_claim_approved_pays_once(db, uow_factory):
    await deposit(uow_factory, 10_000_000 * YUAN)
    envelope = wrap(approved("clm-dup"))
    await deliver(uow_factory, envelope)
    again = await deliver(uow_factory, envelope)
    other_event_same_claim = await deliver(uow_factory, wrap(approved("clm-dup")))
    assert again == [] and other_event_same_claim == []
    assert await cash(db) == 9_700_000 * YUAN


async def test_bank_cap_binds_and_then_blocks_with_reason(db, uow_factory):
    await deposit(uow_factory, 10_000_000 * YUAN)
    for _ in range(4):
        await deliver(uow_factory, wrap(approved(principal_fen=2_000_000 * YUAN)))  # 500k each by per-loan cap
    events = await deliver(uow_factory, wrap(approved(principal_fen=2_000_000 * YUAN)))
    assert [(e.type, e.payload["reason_code"]) for e in events] == [("CompensationBlocked", "BANK_CAP_EXHAUSTED")]
    async with db.read_session() as s:
        row = (await s.execute(select(bank_position))).one()
    assert (row.committed_fen, row.paid_fen) == (2_000_000 * YUAN, 2_000_000 * YUAN)


async def test_short_cash_queues_first_approved_first_paid_until_a_deposit_arrives(db, uow_factory):
    await deposit(uow_factory, 100_000 * YUAN)
    first = await deliver(uow_factory, wrap(approved("clm-first", principal_fen=1_000_000 * YUAN, minute=1)))
    await deliver(uow_factory, wrap(approved("clm-second", principal_fen=100_000 * YUAN, minute=2)))
    assert [e.type for e in first] == ["FundBalanceLow"]
    assert await cash(db) == 100_000 * YUAN  # the 30k claim behind does not jump the queue
    async with uow_factory() as uow:
        from fund_ledger.service_layer.money_in import record_fiscal_revenue

        await record_fiscal_revenue(uow, year=2026, revenue_fen=1_100_000 * YUAN, rules=RULES)
        await pay_due(uow, "fiscal:2026", 220_000 * YUAN, "fiscal-2026-1")
        await uow.commit()
    paid = [e.payload["claim_id"] for e in uow.published if e.type == "CompensationPaid"]
    assert paid == ["clm-first"]
    assert await cash(db) == 20_000 * YUAN  # 320k in, 300k out; the 30k claim still waits
    async with db.read_session() as s:
        statuses = dict((await s.execute(select(compensation.c.claim_id, compensation.c.status))).all())
    assert statuses == {"clm-first": "paid", "clm-second": "waiting"}
