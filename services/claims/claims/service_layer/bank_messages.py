"""Telling banks of other services' events, in the same transaction as the event is applied (its inbox row).

A claim's own state changes are told where the claim is saved (``claims_repo.save``), in the transaction
of the change; ``webhooks_repo.tell`` stores each message once per bank (the bank's feed) and queues a
delivery to each of its endpoints that takes the type, so a slow bank never slows the change itself.
"""

from __future__ import annotations

from xinyidai_shared.consumer import Handler
from xinyidai_shared.events import REGISTRY, Envelope, EventPayload
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import banks_repo, loans_repo, webhooks_repo
from claims.domain.bank_messages import (
    FOR_EVERY_BANK, FOR_LENDERS, FOR_THE_BANK, Message, addressee, as_yuan, derived_id, message_type,
)


async def tell_banks(uow: UnitOfWork, event: EventPayload, envelope: Envelope) -> None:
    """An event banks hear of becomes a message to each bank it concerns."""
    payload = envelope.payload
    kind = message_type(envelope.type, payload)
    if kind is None:
        return
    data = {**as_yuan(payload), "event_id": str(envelope.id), "occurred_at": envelope.occurred_at.isoformat()}
    session = uow.session
    if envelope.type in FOR_LENDERS:
        lenders = await loans_repo.lenders(session, payload["uscc"])
        messages = [Message(derived_id(str(envelope.id), bank), bank, kind, {**data, "bank_loan_nos": numbers})
                    for bank, numbers in lenders.items()]
    elif envelope.type in FOR_EVERY_BANK:
        messages = [Message(derived_id(str(envelope.id), bank), bank, kind, data)
                    for bank in await banks_repo.all_ids(session)]
    else:
        bank = addressee(payload)
        messages = [] if bank is None else [Message(derived_id(str(envelope.id), bank), bank, kind, data)]
    await webhooks_repo.tell(session, messages)


def _then_tell(handler: Handler) -> Handler:
    async def both(uow: UnitOfWork, event: EventPayload, envelope: Envelope) -> None:
        await handler(uow, event, envelope)
        await tell_banks(uow, event, envelope)

    both.__doc__ = f"{(handler.__doc__ or '').strip()} Then tell the banks concerned."
    return both


def with_bank_messages(handlers: dict[str, Handler]) -> dict[str, Handler]:
    """The service's event handlers, each event that banks hear of also told to them in the same transaction."""
    registered = {event_type for event_type, _ in REGISTRY}
    out = dict(handlers)
    for event_type in (*FOR_THE_BANK, *FOR_LENDERS, *FOR_EVERY_BANK):
        if event_type not in registered:
            continue  # an event of the money path not in this build's contract yet
        out[event_type] = _then_tell(handlers[event_type]) if event_type in handlers else tell_banks
    return out
