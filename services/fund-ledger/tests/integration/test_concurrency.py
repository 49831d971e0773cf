"""Invariant: however many compensations race for one bank, exactly its cap is committed and paid, and the
fund's cash never goes negative, on SQLite and on PostgreSQL (art.12; docs/DESIGN.md §2)."""

import asyncio

import pytest
from sqlalchemy import func, select
from xinyidai_shared.consumer import apply_once
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.uow import UnitOfWork

from fund_ledger.adapters.tables import bank_position, compensation, messaging
from fund_ledger.app import MIGRATIONS
from fund_ledger.service_layer.audit import violations
from fund_ledger.service_layer.handlers import event_handlers
from fund_ledger.service_layer.money_in import record_fiscal_revenue
from fund_ledger.service_layer.queries import fund_summary

from ..conftest import RULES, YUAN, deposit_capital, pay_due, approved, wrap

pytestmark = pytest.mark.asyncio
CAP_FEN = 2_000_000 * YUAN
EACH_FEN = 50_000 * YUAN  # 25% of 200,000 yuan; 200 of them ask 10,000,000 yuan = 5 × the cap


async def test_200_concurrent_compensations_for_one_bank_pay_exactly_the_cap(db_url):
    db = Database(db_url)
    await upgrade_to_head(db, MIGRATIONS)
    factory = lambda: UnitOfWork(db, messaging, "fund-ledger")  # noqa: E731
    handler = event_handlers(RULES)["ClaimApproved"]
    try:
        async with factory() as uow:
            await deposit_capital(uow, 1_500_000 * YUAN, "cap")
            await uow.commit()
        envelopes = [wrap(approved(bank_id="bank-hot", principal_fen=200_000 * YUAN, ratio_bp=2500, bank_cap_fen=CAP_FEN))
                     for _ in range(200)]
        # As many in flight as the pool has connections (10 + 10 overflow): every one races for the fund, none
        # waits 30 s for a connection on a loaded machine and fails for that instead.
        gate = asyncio.Semaphore(20)

        async def one(envelope):  # noqa: ANN001, ANN202
            async with gate:
                return await apply_once(factory, handler, envelope, envelope.decode())

        results = await asyncio.gather(*(one(e) for e in envelopes), return_exceptions=True)
        assert [r for r in results if r is not True] == []
        async with db.read_session() as s:
            bank = (await s.execute(select(bank_position).where(bank_position.c.bank_id == "bank-hot"))).one()
            statuses = dict((await s.execute(select(compensation.c.status, func.count()).group_by(compensation.c.status))).all())
            fund = await fund_summary(s)
        # Cash (1.5m) pays 30 in full; 10 more hold the rest of the cap and wait; 160 are blocked.
        assert (bank.committed_fen, bank.paid_fen) == (CAP_FEN, 1_500_000 * YUAN)
        assert statuses == {"paid": 30, "waiting": 10, "blocked": 160}
        assert fund["cash_fen"] == 0
        async with factory() as uow:
            await record_fiscal_revenue(uow, year=2026, revenue_fen=5_000_000 * YUAN, rules=RULES)
            await pay_due(uow, "fiscal:2026", 1_000_000 * YUAN, "fis")
            await uow.commit()
        async with db.read_session() as s:
            bank = (await s.execute(select(bank_position).where(bank_position.c.bank_id == "bank-hot"))).one()
            fund = await fund_summary(s)
            problems = await violations(s)
        assert (bank.paid_fen, fund["cash_fen"], fund["waiting_count"]) == (CAP_FEN, 500_000 * YUAN, 0)
        assert problems == []
    finally:
        await db.dispose()
