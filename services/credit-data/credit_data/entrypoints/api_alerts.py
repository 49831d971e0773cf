"""Risk alert endpoints: each bank's alert feed with a cursor, its webhook, officers' view per enterprise."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Invalid
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow
from xinyidai_shared.params import STRICT, SeqCursor

from ..adapters import alerts_repo
from ..adapters.alerts_repo import ALERT_FIELDS
from ..schemas import AlertPage, AlertRead, WebhookIn

router = APIRouter(prefix="/v1", tags=["risk alerts"])
bank_only = require(Role.BANK)


def _alert_read(row: Any) -> AlertRead:
    return AlertRead(cursor=row.seq, **{k: getattr(row, k) for k in ALERT_FIELDS})


@router.get("/alerts", response_model=AlertPage)
async def bank_alerts(
    request: Request,
    after: SeqCursor = 0,
    limit: Annotated[int, Query(ge=1, le=1000), STRICT] = 100,
    principal: Principal = Depends(bank_only),
) -> AlertPage:
    """The calling bank's alerts about enterprises it lends to, oldest first, after a cursor."""
    async with get_runtime(request).db.read_session() as session:
        rows = await alerts_repo.for_bank(session, principal.bank_id, after=after, limit=limit)
    alerts = [_alert_read(r) for r in rows]
    return AlertPage(alerts=alerts, next_cursor=alerts[-1].cursor if alerts else after)


@router.put("/alerts/webhook", status_code=204)
async def put_webhook(
    body: WebhookIn, request: Request, principal: Principal = Depends(bank_only), uow: UnitOfWork = Depends(get_uow)
) -> Response:
    """Have new alerts POSTed to this URL, signed with HMAC-SHA256 of the secret (header X-Xyd-Signature)."""
    if not body.url.startswith("https://") and not request.app.state.runtime.settings.dev_mode:
        raise Invalid("WEBHOOK_URL_INSECURE", "alerts carry credit information: the webhook must be https://", field="url")
    await alerts_repo.put_webhook(uow.session, principal.bank_id, url=body.url, secret=body.secret, at=utcnow())
    await uow.commit()
    return Response(status_code=204)


@router.delete("/alerts/webhook", status_code=204)
async def delete_webhook(principal: Principal = Depends(bank_only), uow: UnitOfWork = Depends(get_uow)) -> Response:
    """Stop webhook deliveries (the alert feed stays available)."""
    await alerts_repo.delete_webhook(uow.session, principal.bank_id)
    await uow.commit()
    return Response(status_code=204)


@router.get("/enterprises/{uscc}/alerts", response_model=list[AlertRead])
async def enterprise_alerts(
    uscc: str, request: Request, _: Principal = Depends(require(*CREDIT_FILE_READERS))
) -> Any:
    """Every risk alert raised about one enterprise, oldest first."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return [_alert_read(r) for r in await alerts_repo.for_enterprise(session, uscc)]
