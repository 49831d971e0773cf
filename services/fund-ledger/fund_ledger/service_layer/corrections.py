"""Corrections: a posted cash-in transfer recorded in error is undone by a new, reversing transfer.

One officer proposes the reversal (a pending transfer); a second officer confirms it
(``confirmations.confirm``), and only then does money leave the fund's cash. The original stays in the
journal untouched. Reversing a payment of a due re-opens that much of the due. Compensations are not
reversed here: money paid to a bank comes back through a clawback (art.19), which keeps the bank's cap
and position consistent.
"""

from __future__ import annotations

from dataclasses import replace

from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Conflict, NotFound
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books
from ..domain.accounts import CASH_IN_KINDS, Transfer, TransferStatus, reversal_of
from .money_in import Officer, declare, mint_id

REVERSIBLE = CASH_IN_KINDS


async def propose_reversal(uow: UnitOfWork, *, transfer_id: str, reference: str, reason: str,
                           by: Officer) -> tuple[Transfer, bool]:
    """Propose the reversal of a posted cash-in transfer; another officer must confirm it."""
    session = uow.session
    await books.lock_fund(session)
    original = await books.get_transfer(session, transfer_id)
    if original is None:
        raise NotFound("TRANSFER_NOT_FOUND", f"no transfer {transfer_id!r}")
    if original.kind not in REVERSIBLE:
        raise Conflict("TRANSFER_NOT_REVERSIBLE", f"a {original.kind} transfer is corrected by its own workflow, not reversed")
    now = utcnow()
    posted = reversal_of(original, reversal_id=mint_id("rev"), at=now, memo=f"reversal of {transfer_id}: {reason}")
    wanted = replace(posted, status=TransferStatus.PENDING, posted_at=None, client_party=by.party,
                     client_ref=reference, declared_by=by.person)
    if await books.by_client_ref(session, by.party, reference) is None:
        earlier = await books.open_reversal_of(session, transfer_id)
        if earlier is not None:
            raise Conflict("ALREADY_REVERSED", f"transfer {transfer_id} has reversal {earlier.id} ({earlier.status})")
    return await declare(uow, wanted)
