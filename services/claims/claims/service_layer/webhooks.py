"""Banks' webhook endpoints: register (target checked), change, rotate the secret, delete, redeliver, test."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

from xinyidai_shared.errors import Conflict, NotFound
from xinyidai_shared.uow import UnitOfWork

from claims.adapters import webhooks_repo
from claims.domain.bank_messages import Message, fresh_id
from claims.domain.webhooks import check_event_types

from .deps import Deps


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def own_endpoint(uow: UnitOfWork, endpoint_id: str, bank_id: str) -> Any:
    """An endpoint of this bank (another bank's is not found for it: ids are not a way to probe)."""
    row = await webhooks_repo.endpoint_row(uow.session, endpoint_id)
    if row is None or row.bank_id != bank_id:
        raise NotFound("WEBHOOK_ENDPOINT_NOT_FOUND", f"no endpoint {endpoint_id}")
    return row


async def register(uow: UnitOfWork, deps: Deps, *, bank_id: str, url: str, description: str,
                   event_types: list[str]) -> dict[str, Any]:
    """A new endpoint with its own secret (returned this once); the URL was checked before the transaction."""
    endpoint_id, now = deps.mint("wh"), deps.now()
    secret = new_secret()
    await webhooks_repo.add_endpoint(uow.session, endpoint_id=endpoint_id, bank_id=bank_id, url=url,
                                     description=description, event_types=check_event_types(event_types),
                                     secret=secret, enabled=True, created_at=now, updated_at=now)
    uow.audit(after={"url": url, "event_types": event_types}, endpoint_id=endpoint_id)
    return {**await webhooks_repo.get_endpoint(uow.session, endpoint_id), "secret": secret}


async def change(uow: UnitOfWork, deps: Deps, *, endpoint_id: str, bank_id: str, url: str, description: str,
                 event_types: list[str], enabled: bool) -> dict[str, Any]:
    """New URL, description, types or switch; a disabled endpoint gets no new deliveries and its waiting ones stop."""
    row = await own_endpoint(uow, endpoint_id, bank_id)
    await webhooks_repo.update_endpoint(uow.session, endpoint_id, url=url, description=description,
                                        event_types=check_event_types(event_types), enabled=enabled,
                                        updated_at=deps.now())
    if not enabled:
        await webhooks_repo.cancel_pending(uow.session, endpoint_id, "endpoint disabled")
    uow.audit(before={"url": row.url, "enabled": row.enabled}, after={"url": url, "enabled": enabled},
              endpoint_id=endpoint_id)
    return await webhooks_repo.get_endpoint(uow.session, endpoint_id)


async def rotate_secret(uow: UnitOfWork, deps: Deps, *, endpoint_id: str, bank_id: str,
                        overlap: timedelta) -> dict[str, Any]:
    """A new secret; the old one keeps signing beside it for ``overlap`` so the bank can switch without a gap."""
    row = await own_endpoint(uow, endpoint_id, bank_id)
    secret, until = new_secret(), deps.now() + overlap
    await webhooks_repo.update_endpoint(uow.session, endpoint_id, secret=secret, previous_secret=row.secret,
                                        previous_secret_until=until, updated_at=deps.now())
    uow.audit(endpoint_id=endpoint_id)
    return {"endpoint_id": endpoint_id, "secret": secret, "previous_secret_valid_until": until}


async def delete(uow: UnitOfWork, deps: Deps, *, endpoint_id: str, bank_id: str) -> None:
    """The endpoint is gone: nothing more is sent to it (its delivery log stays readable)."""
    await own_endpoint(uow, endpoint_id, bank_id)
    await webhooks_repo.update_endpoint(uow.session, endpoint_id, enabled=False, deleted_at=deps.now(),
                                        updated_at=deps.now())
    await webhooks_repo.cancel_pending(uow.session, endpoint_id, "endpoint deleted")
    uow.audit(endpoint_id=endpoint_id)


async def redeliver(uow: UnitOfWork, deps: Deps, *, delivery_id: int, bank_id: str | None,
                    window: timedelta, now: datetime) -> dict[str, Any]:
    """Send a delivery again now (failed, delivered or waiting), with a fresh retry window."""
    found = await webhooks_repo.delivery(uow.session, delivery_id)
    if found is None or (bank_id is not None and found["bank_id"] != bank_id):
        raise NotFound("WEBHOOK_DELIVERY_NOT_FOUND", f"no delivery {delivery_id}")
    endpoint = await webhooks_repo.endpoint_row(uow.session, found["endpoint_id"])
    if endpoint is None or not endpoint.enabled:
        raise Conflict("WEBHOOK_ENDPOINT_DISABLED", f"endpoint {found['endpoint_id']} is deleted or disabled: "
                       "enable it first", endpoint_id=found["endpoint_id"])
    await webhooks_repo.redeliver(uow.session, delivery_id, now=now, retry_until=now + window)
    uow.audit(before={"status": found["status"]}, after={"status": "pending"}, delivery_id=delivery_id)
    return await webhooks_repo.delivery(uow.session, delivery_id)


async def send_test(uow: UnitOfWork, *, endpoint_id: str, bank_id: str) -> str:
    """A ``webhook.test`` message to the bank, delivered to this endpoint only; returns its id."""
    await own_endpoint(uow, endpoint_id, bank_id)
    message = Message(fresh_id(), bank_id, "webhook.test", {"endpoint_id": endpoint_id,
                                                            "note": "a test message you asked for"})
    await webhooks_repo.tell(uow.session, [message], endpoint_id=endpoint_id)
    return message.message_id
