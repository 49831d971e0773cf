"""Corrections: a posted cash-in transfer recorded in error is undone by a new, reversing transfer.

The original stays in the journal untouched. Reversing a payment of a due re-opens that much of the due.
Compensations are not reversed here: money paid to a bank comes back through a clawback (art.19), which
keeps the bank's cap and position consistent.
"""

from __future__ import annotations

from sqlalchemy import select, update
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Conflict, NotFound
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books
from ..adapters.tables import due, transfer
from ..domain.accounts import Transfer, TransferKind, reversal_of

REVERSIBLE = frozenset({
    TransferKind.INITIAL_CAPITAL, TransferKind.FISCAL_DEPOSIT, TransferKind.CONTRIBUTION_PAYMENT,
    TransferKind.RECOVERY_PAYMENT, TransferKind.CLAWBACK_PAYMENT,
})


async def reverse_transfer(uow: UnitOfWork, *, transfer_id: str, reversal_id: str, reason: str) -> tuple[Transfer, bool]:
    """Post the reversal of a cash-in transfer; the same reversal id replays, a second reversal is refused."""
    session = uow.session
    await books.lock_fund(session)
    original = await books.get_transfer(session, transfer_id)
    if original is None:
        raise NotFound("TRANSFER_NOT_FOUND", f"no transfer {transfer_id!r}")
    if original.kind not in REVERSIBLE:
        raise Conflict("TRANSFER_NOT_REVERSIBLE", f"a {original.kind} transfer is corrected by its own workflow, not reversed")
    now = utcnow()
    wanted = reversal_of(original, reversal_id=reversal_id, at=now, memo=f"reversal of {transfer_id}: {reason}")
    stored = await books.existing_or_none(session, wanted)
    if stored is not None:
        if stored.reverses != transfer_id:
            raise Conflict("TRANSFER_ID_REUSED", f"transfer id {reversal_id!r} already names a different movement")
        return stored, False
    earlier = (await session.execute(select(transfer.c.id).where(transfer.c.reverses == transfer_id))).first()
    if earlier is not None:
        raise Conflict("ALREADY_REVERSED", f"transfer {transfer_id} was reversed by {earlier.id}")
    # The guarded update refuses (INSUFFICIENT_FUNDS) if the money has already been paid out.
    await books.record(session, wanted)
    if original.due_id is not None:
        await session.execute(
            update(due).where(due.c.id == original.due_id).values(settled_fen=due.c.settled_fen - original.amount_fen)
        )
    return wanted, True
