"""Webhook routes: a bank's endpoints, its message feed and its delivery log (docs/WEBHOOKS.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from xinyidai_shared.auth import CLAIM_READERS, Principal, Role, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Conflict, NotFound
from xinyidai_shared.idempotency import Idempotency, idempotency
from xinyidai_shared.params import INT64_MAX, STRICT, SeqCursor
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.web import get_uow

from claims.adapters import webhook_http, webhooks_repo
from claims.domain.webhooks import MESSAGE_TYPES, check_event_types
from claims.schemas_webhooks import (
    DeliveryPage, DeliveryRead, EndpointCreate, EndpointRead, EndpointUpdate, EndpointWithSecret, MessagePage,
    SecretRotated,
)
from claims.service_layer import webhooks as handlers

from .common import bank_scope, deps_of

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
BANK = require(Role.BANK)
READERS = require(Role.BANK, *CLAIM_READERS)
Limit = Annotated[int, Query(ge=1, le=500), STRICT]
DeliveryId = Annotated[int, Path(ge=1, le=INT64_MAX), STRICT]
Before = Annotated[int | None, Query(ge=1, le=INT64_MAX, description="the next_before of the previous page"), STRICT]


def _settings(request: Request):  # noqa: ANN202 - claims Settings
    return request.app.state.runtime.settings


async def _checked_url(request: Request, url: str) -> None:
    """The URL's form and every address its host resolves to now (before any transaction: DNS takes time)."""
    await webhook_http.checked_target(url, allow_loopback=_settings(request).webhook_allow_loopback)


@router.get("/event-types")
async def event_types(principal: Principal = Depends(READERS)) -> dict[str, str]:
    """The message types a bank can receive, each with what it means."""
    return MESSAGE_TYPES


@router.post("/endpoints", status_code=201, response_model=EndpointWithSecret)
async def register_endpoint(body: EndpointCreate, request: Request, principal: Principal = Depends(BANK),
                            guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Register an https endpoint for the bank's messages; the answer shows its signing secret, this once."""
    check_event_types(body.event_types)
    await _checked_url(request, body.url)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        if any(e["url"] == body.url for e in await webhooks_repo.list_endpoints(uow.session, principal.org_id)):
            raise Conflict("WEBHOOK_URL_REGISTERED", "this URL is registered already: change that endpoint instead")
        endpoint = await handlers.register(uow, deps_of(request), bank_id=principal.org_id, url=body.url,
                                           description=body.description, event_types=body.event_types)
        return 201, EndpointWithSecret(**endpoint).model_dump(mode="json")

    return await guard.write(principal, work, body=body)


@router.get("/endpoints", response_model=list[EndpointRead])
async def list_endpoints(request: Request, principal: Principal = Depends(READERS)) -> list[dict]:
    """The bank's endpoints (officers see every bank's), secrets never shown."""
    async with request.app.state.runtime.db.read_session() as session:
        return await webhooks_repo.list_endpoints(session, bank_scope(principal))


@router.get("/endpoints/{endpoint_id}", response_model=EndpointRead)
async def read_endpoint(endpoint_id: str, request: Request, principal: Principal = Depends(READERS)) -> dict:
    """One endpoint."""
    async with request.app.state.runtime.db.read_session() as session:
        found = await webhooks_repo.get_endpoint(session, endpoint_id)
    scope = bank_scope(principal)
    if found is None or (scope is not None and found["bank_id"] != scope):
        raise NotFound("WEBHOOK_ENDPOINT_NOT_FOUND", f"no endpoint {endpoint_id}")
    return found


@router.put("/endpoints/{endpoint_id}", response_model=EndpointRead)
async def change_endpoint(endpoint_id: str, body: EndpointUpdate, request: Request,
                          principal: Principal = Depends(BANK)) -> dict:
    """Change an endpoint's URL (checked again), description, types, or switch it off and on."""
    check_event_types(body.event_types)
    await _checked_url(request, body.url)
    async with request.app.state.runtime.uow() as uow:
        changed = await handlers.change(uow, deps_of(request), endpoint_id=endpoint_id, bank_id=principal.org_id,
                                        url=body.url, description=body.description, event_types=body.event_types,
                                        enabled=body.enabled)
        await uow.commit()
    return changed


@router.delete("/endpoints/{endpoint_id}", status_code=204)
async def delete_endpoint(endpoint_id: str, request: Request, principal: Principal = Depends(BANK),
                          uow: UnitOfWork = Depends(get_uow)) -> Response:
    """Delete an endpoint: nothing more is sent to it; its delivery log stays."""
    await handlers.delete(uow, deps_of(request), endpoint_id=endpoint_id, bank_id=principal.org_id)
    await uow.commit()
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/secret", response_model=SecretRotated)
async def rotate_secret(endpoint_id: str, request: Request, principal: Principal = Depends(BANK),
                        guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """A new signing secret; the old one keeps signing beside it for the overlap (24 hours by default)."""
    overlap = timedelta(seconds=_settings(request).webhook_secret_overlap_s)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        rotated = await handlers.rotate_secret(uow, deps_of(request), endpoint_id=endpoint_id,
                                               bank_id=principal.org_id, overlap=overlap)
        return 200, SecretRotated(**rotated).model_dump(mode="json")

    return await guard.write(principal, work)


@router.post("/endpoints/{endpoint_id}/test", status_code=202)
async def send_test(endpoint_id: str, request: Request, principal: Principal = Depends(BANK),
                    guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Send a ``webhook.test`` message to this endpoint; follow it in the delivery log."""

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        message_id = await handlers.send_test(uow, endpoint_id=endpoint_id, bank_id=principal.org_id)
        return 202, {"message_id": message_id}

    return await guard.write(principal, work)


@router.get("/messages", response_model=MessagePage)
async def messages(request: Request, after: SeqCursor = 0, limit: Limit = 100,
                   type: Annotated[str | None, Query(max_length=60)] = None,  # noqa: A002 - the API's word
                   principal: Principal = Depends(BANK)) -> dict:
    """The bank's feed: every message it was told (webhook or not), oldest first, after a cursor."""
    async with request.app.state.runtime.db.read_session() as session:
        rows = await webhooks_repo.messages(session, principal.org_id, after=after, limit=limit, type_=type)
    items = [{"cursor": r.seq, "message_id": r.message_id, "type": r.type, "created_at": r.created_at,
              "body": orjson.loads(r.body)} for r in rows]
    return {"messages": items, "next_cursor": items[-1]["cursor"] if items else after}


@router.get("/deliveries", response_model=DeliveryPage)
async def deliveries(request: Request, principal: Principal = Depends(READERS), before: Before = None,
                     limit: Limit = 100, endpoint_id: Annotated[str | None, Query(max_length=40)] = None,
                     status: Literal["pending", "delivered", "failed", "cancelled"] | None = None,
                     message_id: Annotated[str | None, Query(max_length=60)] = None) -> dict:
    """The delivery log, newest first: status, tries, last answer and latency, next try (officers see all banks)."""
    async with request.app.state.runtime.db.read_session() as session:
        rows = await webhooks_repo.deliveries(session, bank_id=bank_scope(principal), endpoint_id=endpoint_id,
                                              status=status, message_id=message_id, before=before, limit=limit)
    return {"deliveries": rows, "next_before": rows[-1]["delivery_id"] if len(rows) == limit else None}


@router.get("/deliveries/{delivery_id}", response_model=DeliveryRead)
async def read_delivery(delivery_id: DeliveryId, request: Request,
                        principal: Principal = Depends(READERS)) -> dict[str, Any]:
    """One delivery with every try: when, the answer's status code, latency, error and the answer's first bytes."""
    async with request.app.state.runtime.db.read_session() as session:
        found = await webhooks_repo.delivery(session, delivery_id)
        scope = bank_scope(principal)
        if found is None or (scope is not None and found["bank_id"] != scope):
            raise NotFound("WEBHOOK_DELIVERY_NOT_FOUND", f"no delivery {delivery_id}")
        found["attempt_log"] = (await webhooks_repo.attempts(session, [delivery_id]))[delivery_id]
    return found


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryRead)
async def redeliver(delivery_id: DeliveryId, request: Request, principal: Principal = Depends(BANK),
                    guard: Idempotency = Depends(idempotency)) -> JSONResponse:
    """Send a delivery again now, with a fresh retry window (e.g. after fixing the endpoint)."""
    window = timedelta(seconds=_settings(request).webhook_retry_window_s)

    async def work(uow: UnitOfWork) -> tuple[int, dict]:
        again = await handlers.redeliver(uow, deps_of(request), delivery_id=delivery_id, bank_id=principal.org_id,
                                         window=window, now=utcnow())
        return 200, DeliveryRead(**again).model_dump(mode="json")

    return await guard.write(principal, work)
