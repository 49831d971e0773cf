"""Group commit of a burst of approvals gives exactly the result of applying them one by one."""

import pytest
from sqlalchemy import select
from xinyidai_shared.consumer import apply_group, apply_once
from xinyidai_shared.db import Database
from xinyidai_shared.migrations import upgrade_to_head
from xinyidai_shared.uow import UnitOfWork

from fund_ledger.adapters.tables import bank_position, compensation, messaging
from fund_ledger.app import MIGRATIONS
from fund_ledger.entrypoints.consumers import group_handlers_for
from fund_ledger.service_layer.audit import violations
from fund_ledger.service_layer.handlers import event_handlers

from ..conftest import RULES, YUAN, deposit_capital, approved, wrap

pytestmark = pytest.mark.asyncio


async def fresh_db(path):
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade_to_head(db, MIGRATIONS)
    async with UnitOfWork(db, messaging, "fund-ledger") as uow:
        await deposit_capital(uow, 1_000_000 * YUAN, "cap")
        await uow.commit()
    return db


async def outcome(db):
    async with db.read_session() as s:
        comps = sorted((r.claim_id, r.status, r.amount_fen) for r in (await s.execute(select(compensation))).all())
        banks = sorted(tuple(r) for r in (await s.execute(select(bank_position))).all())
        return comps, banks, await violations(s)


async def test_burst_in_one_transaction_equals_one_by_one(tmp_path):
    envelopes = [wrap(approved(f"clm-{i:02d}", bank_id=("bank-a", "bank-b")[i % 2], principal_fen=(i + 1) * 100_000 * YUAN, minute=i))
                 for i in range(30)]
    burst = envelopes + [envelopes[3], wrap(envelopes[4].decode())]  # a redelivery and a replay under a new id
    one_by_one = await fresh_db(tmp_path / "a.db")
    handler = event_handlers(RULES)["ClaimApproved"]
    for envelope in burst:
        await apply_once(lambda: UnitOfWork(one_by_one, messaging, "fund-ledger"), handler, envelope, envelope.decode())
    grouped = await fresh_db(tmp_path / "b.db")
    groups = group_handlers_for(RULES)
    applied = await apply_group(lambda: UnitOfWork(grouped, messaging, "fund-ledger"),
                                [(handler, e, e.decode()) for e in burst], groups)
    expected, got = await outcome(one_by_one), await outcome(grouped)
    assert applied == 31  # 30 approvals + the replay under a new event id (which then changes nothing)
    assert got == expected
    assert {status for _, status, _ in got[0]} == {"paid", "waiting", "blocked"}
    assert got[2] == []
    again = await apply_group(lambda: UnitOfWork(grouped, messaging, "fund-ledger"), [(handler, e, e.decode()) for e in burst], groups)
    assert again == 0
    await one_by_one.dispose()
    await grouped.dispose()
