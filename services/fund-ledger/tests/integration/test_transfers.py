"""Transfers: an id is used once, a pending transfer is posted or voided exactly once, cash never goes negative."""

from datetime import UTC, datetime

import pytest
from xinyidai_shared.errors import Conflict

from fund_ledger.adapters import books
from fund_ledger.domain.accounts import CAPITAL_INITIAL, CASH, Transfer, TransferKind, TransferStatus, compensation_account

pytestmark = pytest.mark.asyncio
NOW = datetime(2026, 5, 1, tzinfo=UTC)


def capital(tid, amount):
    return Transfer(tid, TransferKind.INITIAL_CAPITAL, CASH, CAPITAL_INITIAL, amount, created_at=NOW, posted_at=NOW)


def pending_payment(tid, amount):
    return Transfer(tid, TransferKind.COMPENSATION, compensation_account("b1"), CASH, amount, created_at=NOW,
                    status=TransferStatus.PENDING)


async def test_second_transfer_with_same_id_replays_the_first_or_fails_loudly(db, uow_factory, caplog):
    """Ids are derived by the system (callers' references live apart): one naming another movement is a
    conflict between the books and the events, refused and logged as an error, never a silent skip."""
    async with uow_factory() as uow:
        first = await books.record(uow.session, capital("t1", 100))
        assert await books.record(uow.session, capital("t1", 100)) == first
        with pytest.raises(books.DerivedTransferConflict):
            await books.record(uow.session, capital("t1", 101))
        assert await books.balance_posted(uow.session, CASH) == 100
        await uow.commit()
    assert [r.levelname for r in caplog.records if "derived transfer id" in r.getMessage()] == ["ERROR"]


async def test_pending_transfer_is_posted_once_and_then_cannot_be_voided(db, uow_factory):
    async with uow_factory() as uow:
        await books.record(uow.session, capital("c", 100))
        await books.record(uow.session, pending_payment("p", 60))
        assert await books.balance_posted(uow.session, CASH) == 100  # a reservation moves no posted money
        await books.post_pending(uow.session, "p", NOW)
        for again in (books.post_pending, books.void_pending):
            with pytest.raises(Conflict) as err:
                await again(uow.session, "p", NOW)
            assert err.value.code == "TRANSFER_NOT_PENDING"
        assert await books.balance_posted(uow.session, CASH) == 40
        await uow.commit()


async def test_voided_transfer_moves_nothing_and_cannot_be_posted(db, uow_factory):
    async with uow_factory() as uow:
        await books.record(uow.session, pending_payment("p", 60))
        await books.void_pending(uow.session, "p", NOW)
        with pytest.raises(Conflict):
            await books.post_pending(uow.session, "p", NOW)
        assert (await books.get_transfer(uow.session, "p")).status is TransferStatus.VOIDED
        assert await books.balance_posted(uow.session, CASH) == 0
        await uow.commit()


async def test_posting_more_than_the_cash_is_refused(db, uow_factory):
    async with uow_factory() as uow:
        await books.record(uow.session, capital("c", 50))
        await books.record(uow.session, pending_payment("p", 60))
        with pytest.raises(Conflict) as err:
            await books.post_pending(uow.session, "p", NOW)
        assert err.value.code == "INSUFFICIENT_FUNDS"
