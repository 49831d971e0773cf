"""The consumer's group commit keeps message order across event types and parks what it cannot read."""

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import select

from fund_ledger.adapters.tables import compensation, messaging
from xinyidai_shared.consumer import ConsumerRunner
from xinyidai_shared.testing import session_keyring, signed

from fund_ledger.entrypoints.consumers import group_handlers_for, handlers_for

from ..conftest import RULES, YUAN, deposit_capital, approved, clawback, wrap

pytestmark = pytest.mark.asyncio


class FakeProducer:
    def __init__(self):
        self.sent = []

    async def send_and_wait(self, topic, value=None, key=None, headers=None):
        self.sent.append((topic, value, dict(headers or [])))


def record(offset, value: bytes) -> ConsumerRecord:
    return ConsumerRecord("xyd.claims.events", 0, offset, 0, 0, b"k", value, None, 1, len(value), [])


async def test_approvals_around_a_clawback_apply_in_message_order_and_garbage_is_parked(db, uow_factory):
    async with uow_factory() as uow:
        await deposit_capital(uow, 400 * YUAN, "cap")
        await uow.commit()
    producer = FakeProducer()
    runner = ConsumerRunner(bootstrap="unused", group="fund-ledger", topics=["xyd.claims.events"],
                            handlers=handlers_for(RULES), group_handlers=group_handlers_for(RULES),
                            uow_factory=uow_factory, dlq_producer=producer, keyring=session_keyring(),
                            max_attempts=1, backoff_s=0)
    payloads = [approved("c1", principal_fen=1_000 * YUAN, minute=1), approved("c2", principal_fen=1_000 * YUAN, minute=2),
                clawback("bank-a"), approved("c3", principal_fen=1_000 * YUAN, minute=3)]
    messages = [record(i, signed(wrap(p))) for i, p in enumerate(payloads)]
    messages.insert(2, record(99, b"not an envelope"))
    await runner.handle_poll(messages)
    async with db.read_session() as s:
        statuses = dict((await s.execute(select(compensation.c.claim_id, compensation.c.status))).all())
        parked = (await s.execute(select(messaging.dead_letter.c.offset))).all()
    # c1 paid (300 of 400), c2 waited and was voided by the clawback, c3 came after it: blocked.
    assert statuses == {"c1": "paid", "c2": "voided", "c3": "blocked"}
    assert [r.offset for r in parked] == [99]
    assert [t for t, _, _ in producer.sent] == ["xyd.claims.events.dlq.fund-ledger"]
