"""The ledger repository: transfers and running account totals, kept in step inside one transaction.

Every balance change is a conditional UPDATE that refuses to take an account below zero on its normal
side, so a concurrent writer can never overdraw the fund even between our read and our write; the
table's CHECK constraint is the backstop. Nothing here commits: the unit of work does.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from xinyidai_shared.errors import Conflict, NotFound

from ..domain.accounts import CASH, Side, Transfer, TransferKind, TransferStatus, normal_side
from .tables import account, transfer

log = logging.getLogger(__name__)


class DerivedTransferConflict(RuntimeError):
    """A transfer id the system derives (from an event or a due) already names a different movement.

    It cannot come from a caller (callers' references live apart from transfer ids), so it means the books
    and the events disagree: the booking is refused loudly, the event is retried and then parked, and
    verification reports it until someone resolves it. Never swallowed.
    """


def _row_to_transfer(row) -> Transfer:  # noqa: ANN001 - a SQLAlchemy row
    return Transfer(
        id=row.id,
        kind=TransferKind(row.kind),
        debit_account=row.debit_account,
        credit_account=row.credit_account,
        amount_fen=row.amount_fen,
        created_at=row.created_at,
        status=TransferStatus(row.status),
        posted_at=row.posted_at,
        event_id=row.event_id,
        claim_id=row.claim_id,
        loan_id=row.loan_id,
        bank_id=row.bank_id,
        reverses=row.reverses,
        due_id=row.due_id,
        memo=row.memo or "",
        client_party=row.client_party,
        client_ref=row.client_ref,
        declared_by=row.declared_by,
        decided_by=row.decided_by,
    )


async def ensure_accounts(session: AsyncSession, *codes: str) -> None:
    """Create the accounts that do not exist yet (insert-if-absent on both SQLite and PostgreSQL)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    rows = [
        {"code": c, "normal_side": str(normal_side(c)), "debits_posted_fen": 0, "credits_posted_fen": 0,
         "debits_pending_fen": 0, "credits_pending_fen": 0}
        for c in codes
    ]
    await session.execute(dialect_insert(account).values(rows).on_conflict_do_nothing(index_elements=["code"]))


async def lock_fund(session: AsyncSession) -> int:
    """Take the fund's cash row first in every money-moving transaction, so locks are always taken in
    the same order (cash, then banks by id) and PostgreSQL never sees two writers deadlock.

    Returns the posted cash balance read under that lock.
    """
    stmt = select(account.c.debits_posted_fen, account.c.credits_posted_fen).where(account.c.code == CASH).with_for_update()
    row = (await session.execute(stmt)).first()
    if row is None:
        await ensure_accounts(session, CASH)
        row = (await session.execute(stmt)).one()
    return row.debits_posted_fen - row.credits_posted_fen


async def get_transfer(session: AsyncSession, transfer_id: str) -> Transfer | None:
    """The stored transfer with this id, if any."""
    row = (await session.execute(select(transfer).where(transfer.c.id == transfer_id))).first()
    return _row_to_transfer(row) if row else None


async def by_client_ref(session: AsyncSession, party: str, ref: str) -> Transfer | None:
    """The transfer an organisation filed under its own reference, if any."""
    row = (await session.execute(
        select(transfer).where(transfer.c.client_party == party, transfer.c.client_ref == ref)
    )).first()
    return _row_to_transfer(row) if row else None


async def existing_or_none(session: AsyncSession, wanted: Transfer) -> Transfer | None:
    """A stored transfer with ``wanted``'s id: returned when it asks for the same movement (a replay);
    a different movement under that id is a ``DerivedTransferConflict``."""
    stored = await get_transfer(session, wanted.id)
    if stored is None:
        return None
    if not stored.same_request(wanted):
        _conflict(wanted.id, f"wanted {wanted.kind} {wanted.amount_fen} fen, stored {stored.kind} {stored.amount_fen} fen")
    return stored


def _conflict(transfer_id: str, detail: str) -> None:
    log.error("derived transfer id already names another movement", extra={"transfer_id": transfer_id, "detail": detail})
    raise DerivedTransferConflict(f"transfer id {transfer_id!r} already names a different movement ({detail})")


async def _move(session: AsyncSession, code: str, side: Side, amount_fen: int, *, pending: bool) -> bool:
    """Add ``amount_fen`` to one side of an account; False when that would take it below zero."""
    col_prefix = "pending" if pending else "posted"
    column = f"{'debits' if side is Side.DEBIT else 'credits'}_{col_prefix}_fen"
    stmt = update(account).where(account.c.code == code).values({column: account.c[column] + amount_fen})
    if not pending:
        # Moving against the normal side needs enough balance on it, checked in the same statement.
        if side is Side.CREDIT:
            guard = or_(account.c.normal_side == "credit", account.c.debits_posted_fen - account.c.credits_posted_fen >= amount_fen)
        else:
            guard = or_(account.c.normal_side == "debit", account.c.credits_posted_fen - account.c.debits_posted_fen >= amount_fen)
        stmt = stmt.where(guard)
    result = await session.execute(stmt)
    return result.rowcount == 1


async def _apply(session: AsyncSession, t: Transfer, *, pending: bool) -> None:
    await ensure_accounts(session, t.debit_account, t.credit_account)
    if not await _move(session, t.credit_account, Side.CREDIT, t.amount_fen, pending=pending):
        raise Conflict("INSUFFICIENT_FUNDS", f"account {t.credit_account} cannot give {t.amount_fen} fen")
    if not await _move(session, t.debit_account, Side.DEBIT, t.amount_fen, pending=pending):
        raise Conflict("INSUFFICIENT_FUNDS", f"account {t.debit_account} cannot take {t.amount_fen} fen back")


def _values(t: Transfer) -> dict:
    return {
        "id": t.id, "kind": str(t.kind), "debit_account": t.debit_account, "credit_account": t.credit_account,
        "amount_fen": t.amount_fen, "status": str(t.status), "created_at": t.created_at, "posted_at": t.posted_at,
        "event_id": t.event_id, "claim_id": t.claim_id, "loan_id": t.loan_id, "bank_id": t.bank_id,
        "reverses": t.reverses, "memo": t.memo, "due_id": t.due_id, "client_party": t.client_party,
        "client_ref": t.client_ref, "declared_by": t.declared_by, "decided_by": t.decided_by,
    }


async def record(session: AsyncSession, t: Transfer) -> Transfer:
    """Store a new transfer (posted or pending) and move the account totals; the same request replays."""
    stored = await existing_or_none(session, t)
    if stored is not None:
        return stored
    if t.status is TransferStatus.VOIDED:
        raise Conflict("TRANSFER_STATUS_INVALID", "a transfer is created pending or posted")
    await _apply(session, t, pending=t.status is TransferStatus.PENDING)
    await session.execute(insert(transfer).values(_values(t)))
    return t


async def post_pending(session: AsyncSession, transfer_id: str, at: datetime, *, decided_by: str | None = None,
                       note: str | None = None) -> Transfer:
    """Post a pending transfer once: its amount leaves pending totals and moves the posted balances."""
    stored = await get_transfer(session, transfer_id)
    if stored is None:
        raise NotFound("TRANSFER_NOT_FOUND", f"no transfer {transfer_id!r}")
    changed = await session.execute(
        update(transfer)
        .where(and_(transfer.c.id == transfer_id, transfer.c.status == "pending"))
        .values(status="posted", posted_at=at, decided_by=decided_by, decision_note=note)
    )
    if changed.rowcount != 1:
        raise Conflict("TRANSFER_NOT_PENDING", f"transfer {transfer_id!r} is {stored.status}, not pending")
    await _release_pending(session, stored)
    await _apply(session, stored, pending=False)
    return await get_transfer(session, transfer_id)  # type: ignore[return-value]


async def void_pending(session: AsyncSession, transfer_id: str, at: datetime, *, decided_by: str | None = None,
                       note: str | None = None) -> None:
    """Void a pending transfer once: its reservation disappears, no balance moves."""
    stored = await get_transfer(session, transfer_id)
    changed = await session.execute(
        update(transfer)
        .where(and_(transfer.c.id == transfer_id, transfer.c.status == "pending"))
        .values(status="voided", voided_at=at, decided_by=decided_by, decision_note=note)
    )
    if stored is None or changed.rowcount != 1:
        raise Conflict("TRANSFER_NOT_PENDING", f"transfer {transfer_id!r} is not pending")
    await _release_pending(session, stored)


async def _release_pending(session: AsyncSession, t: Transfer) -> None:
    for code, column in ((t.debit_account, "debits_pending_fen"), (t.credit_account, "credits_pending_fen")):
        await session.execute(
            update(account).where(account.c.code == code).values({column: account.c[column] - t.amount_fen})
        )


async def record_many(session: AsyncSession, transfers: list[Transfer]) -> None:
    """Store new transfers (ids never used: they derive from events the inbox has not seen) set-wise:
    one guarded update per account touched instead of two per transfer, then one bulk insert."""
    if not transfers:
        return
    taken = (await session.execute(select(transfer.c.id).where(transfer.c.id.in_([t.id for t in transfers])))).first()
    if taken is not None:
        _conflict(taken.id, "a burst of derived transfers meets an id already in the journal")
    deltas: dict[tuple[str, Side, bool], int] = {}
    for t in transfers:
        pending = t.status is TransferStatus.PENDING
        for code, side in ((t.credit_account, Side.CREDIT), (t.debit_account, Side.DEBIT)):
            deltas[(code, side, pending)] = deltas.get((code, side, pending), 0) + t.amount_fen
    await ensure_accounts(session, *sorted({code for code, _, _ in deltas}))
    # Credits first: a guarded credit to cash is what may refuse, and it must refuse before anything moves.
    for (code, side, pending), amount in sorted(deltas.items(), key=lambda kv: (kv[0][1] is Side.DEBIT, kv[0][0])):
        if not await _move(session, code, side, amount, pending=pending):
            raise Conflict("INSUFFICIENT_FUNDS", f"account {code} cannot give {amount} fen")
    await session.execute(insert(transfer), [_values(t) for t in transfers])


async def balance_posted(session: AsyncSession, code: str) -> int:
    """The account's posted balance on its normal side (0 for an account never used)."""
    row = (await session.execute(select(account).where(account.c.code == code))).first()
    if row is None:
        return 0
    if row.normal_side == "debit":
        return row.debits_posted_fen - row.credits_posted_fen
    return row.credits_posted_fen - row.debits_posted_fen


async def all_transfers(session: AsyncSession) -> list[Transfer]:
    """The whole journal in sequence order (verify and audit)."""
    rows = (await session.execute(select(transfer).order_by(transfer.c.seq))).all()
    return [_row_to_transfer(r) for r in rows]


async def live_initial_capital(session: AsyncSession) -> Transfer | None:
    """An initial-capital transfer that still counts: declared or posted, and not undone by a posted reversal."""
    undone = select(transfer.c.reverses).where(transfer.c.reverses.is_not(None), transfer.c.status == "posted")
    row = (await session.execute(
        select(transfer).where(
            transfer.c.kind == str(TransferKind.INITIAL_CAPITAL), transfer.c.status != "voided",
            transfer.c.id.not_in(undone),
        ).order_by(transfer.c.seq).limit(1)
    )).first()
    return _row_to_transfer(row) if row else None


async def open_reversal_of(session: AsyncSession, transfer_id: str) -> Transfer | None:
    """A reversal of ``transfer_id`` proposed and not voided (pending or posted), if any."""
    row = (await session.execute(
        select(transfer).where(transfer.c.reverses == transfer_id, transfer.c.status != "voided").limit(1)
    )).first()
    return _row_to_transfer(row) if row else None
