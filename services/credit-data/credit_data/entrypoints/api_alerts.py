"""Risk alert endpoints: each bank's alert feed with a cursor, its webhook, officers' view per enterprise."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import delete, insert, select, update

from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, Role, require
from xinyidai_shared.clock import utcnow
from xinyidai_shared.errors import Invalid
from xinyidai_shared.uow import UnitOfWork
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime, get_uow

from ..adapters.tables import bank_alert, risk_alert, webhook
from ..schemas import AlertPage, AlertRead, WebhookIn

router = APIRouter(prefix="/v1", tags=["risk alerts"])
bank_only = require(Role.BANK)


@router.get("/alerts", response_model=AlertPage)
async def bank_alerts(
    request: Request,
    after: int = Query(0, ge=0, description="the next_cursor of the previous page (0: from the start)"),
    limit: int = Query(100, ge=1, le=1000),
    principal: Principal = Depends(bank_only),
) -> AlertPage:
    """The calling bank's alerts about enterprises it lends to, oldest first, after a cursor."""
    b, a = bank_alert.c, risk_alert.c
    query = (
        select(b.seq, a.alert_id, a.uscc, a.rule, a.severity, a.detail, a.raised_at)
        .join(risk_alert, a.alert_id == b.alert_id)
        .where(b.bank_id == principal.bank_id, b.seq > after)
        .order_by(b.seq)
        .limit(limit)
    )
    async with get_runtime(request).db.read_session() as session:
        rows = list(await session.execute(query))
    alerts = [AlertRead(cursor=r.seq, **{k: getattr(r, k) for k in ("alert_id", "uscc", "rule", "severity", "detail", "raised_at")}) for r in rows]
    return AlertPage(alerts=alerts, next_cursor=alerts[-1].cursor if alerts else after)


@router.put("/alerts/webhook", status_code=204)
async def put_webhook(
    body: WebhookIn, request: Request, principal: Principal = Depends(bank_only), uow: UnitOfWork = Depends(get_uow)
) -> Response:
    """Have new alerts POSTed to this URL, signed with HMAC-SHA256 of the secret (header X-Xyd-Signature)."""
    if not body.url.startswith("https://") and not request.app.state.runtime.settings.dev_mode:
        raise Invalid("WEBHOOK_URL_INSECURE", "alerts carry credit information: the webhook must be https://", field="url")
    exists = (await uow.session.execute(select(webhook.c.bank_id).where(webhook.c.bank_id == principal.bank_id))).first()
    values = {"url": body.url, "secret": body.secret, "updated_at": utcnow()}
    if exists:
        await uow.session.execute(update(webhook).where(webhook.c.bank_id == principal.bank_id).values(values))
    else:
        await uow.session.execute(insert(webhook).values(bank_id=principal.bank_id, **values))
    await uow.commit()
    return Response(status_code=204)


@router.delete("/alerts/webhook", status_code=204)
async def delete_webhook(principal: Principal = Depends(bank_only), uow: UnitOfWork = Depends(get_uow)) -> Response:
    """Stop webhook deliveries (the alert feed stays available)."""
    await uow.session.execute(delete(webhook).where(webhook.c.bank_id == principal.bank_id))
    await uow.commit()
    return Response(status_code=204)


@router.get("/enterprises/{uscc}/alerts", response_model=list[AlertRead])
async def enterprise_alerts(
    uscc: str, request: Request, _: Principal = Depends(require(*CREDIT_FILE_READERS))
) -> Any:
    """Every risk alert raised about one enterprise, oldest first."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        rows = await session.execute(select(risk_alert).where(risk_alert.c.uscc == uscc).order_by(risk_alert.c.seq))
        return [AlertRead(cursor=r.seq, **{k: getattr(r, k) for k in ("alert_id", "uscc", "rule", "severity", "detail", "raised_at")}) for r in rows]
