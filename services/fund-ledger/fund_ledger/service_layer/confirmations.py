"""The second person: declared cash and proposed reversals are confirmed (posted) or voided here.

``confirm`` is the one way declared money becomes cash. An officer of the finance bureau calls it over
HTTP; a bank-statement import calls it with ``by="statement:<id>"`` once a statement line proves the
money moved. Either way the confirmer is never the declarer, only confirmed cash pays the waiting queue,
and a confirmation or a voiding told twice by the same person answers the same.
"""

from __future__ import annotations

from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Conflict, NotFound
from xinyidai_shared.events import FundDeposited
from xinyidai_shared.maker_checker import ensure_second_person
from xinyidai_shared.uow import UnitOfWork

from ..adapters import books, dues
from ..domain.accounts import CONFIRMABLE_KINDS, Transfer, TransferKind, TransferStatus
from .compensation import pay_waiting
from .rules import LedgerRules


async def _pending_or_replay(uow: UnitOfWork, transfer_id: str, by: str, done: TransferStatus) -> tuple[Transfer, bool]:
    await books.lock_fund(uow.session)
    stored = await books.get_transfer(uow.session, transfer_id)
    if stored is None:
        raise NotFound("TRANSFER_NOT_FOUND", f"no transfer {transfer_id!r}")
    if stored.kind not in CONFIRMABLE_KINDS:
        raise Conflict("NOT_CONFIRMABLE", f"a {stored.kind} transfer is settled by its own workflow, not by hand")
    if stored.status is done and stored.decided_by == by:
        return stored, False  # the same decision told again
    if stored.status is not TransferStatus.PENDING:
        raise Conflict("TRANSFER_NOT_PENDING", f"transfer {transfer_id} is {stored.status}", current_state=str(stored.status))
    return stored, True


async def confirm(uow: UnitOfWork, *, transfer_id: str, by: str, rules: LedgerRules,
                  note: str | None = None) -> tuple[Transfer, bool]:
    """Post a declared payment or deposit (it becomes cash and pays the queue) or a proposed reversal."""
    stored, fresh = await _pending_or_replay(uow, transfer_id, by, TransferStatus.POSTED)
    if not fresh:
        return stored, False
    ensure_second_person(stored.declared_by, by)
    if stored.kind is TransferKind.REVERSAL:
        posted = await _post_reversal(uow, stored, by, note)
    else:
        posted = await _post_cash_in(uow, stored, by, note, rules)
    _audit_decision(uow, stored, posted)
    return posted, True


async def void(uow: UnitOfWork, *, transfer_id: str, by: str, reason: str) -> tuple[Transfer, bool]:
    """Void a declaration that no money matched, or a reversal the second officer does not accept."""
    stored, fresh = await _pending_or_replay(uow, transfer_id, by, TransferStatus.VOIDED)
    if not fresh:
        return stored, False
    await books.void_pending(uow.session, transfer_id, utcnow(), decided_by=by, note=reason)
    voided = await books.get_transfer(uow.session, transfer_id)
    _audit_decision(uow, stored, voided)  # type: ignore[arg-type]
    return voided, True  # type: ignore[return-value]


def _audit_decision(uow: UnitOfWork, before: Transfer, after: Transfer) -> None:
    """The trail shows the money a second officer made cash (or voided), and who declared it."""
    uow.audit(before={"status": str(before.status), "declared_by": before.declared_by},
              after={"status": str(after.status), "amount_fen": after.amount_fen, "kind": str(after.kind)},
              transfer_id=after.id)


async def _post_cash_in(uow: UnitOfWork, declared: Transfer, by: str, note: str | None, rules: LedgerRules) -> Transfer:
    session, now = uow.session, utcnow()
    if declared.due_id is not None and not await dues.settle(session, declared.due_id, declared.amount_fen, now):
        raise Conflict("DUE_OVERPAID", f"{declared.amount_fen} fen is more than is still owed on {declared.due_id}")
    posted = await books.post_pending(session, declared.id, now, decided_by=by, note=note)
    source = declared.client_party or "unknown"
    if declared.due_id is not None:
        source = (await dues.get_due(session, declared.due_id)).party
    uow.publish(FundDeposited(transfer_id=posted.id, kind=str(posted.kind), amount_fen=posted.amount_fen,
                              source=source, deposited_at=now))
    await pay_waiting(uow, rules)  # confirmed cash, and only confirmed cash, pays the queue in order
    return posted


async def _post_reversal(uow: UnitOfWork, proposed: Transfer, by: str, note: str | None) -> Transfer:
    session = uow.session
    earlier = await books.open_reversal_of(session, proposed.reverses or "")
    if earlier is not None and earlier.id != proposed.id:
        raise Conflict("ALREADY_REVERSED", f"transfer {proposed.reverses} was reversed by {earlier.id}")
    # The guarded update refuses (INSUFFICIENT_FUNDS) if the money has already been paid out.
    posted = await books.post_pending(session, proposed.id, utcnow(), decided_by=by, note=note)
    if posted.due_id is not None:
        await dues.reopen(session, posted.due_id, posted.amount_fen)
    return posted
