"""Risk alerts for officers, per enterprise (banks are told by claims: GET /v1/webhooks/messages and webhooks)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from xinyidai_shared.auth import CREDIT_FILE_READERS, Principal, require
from xinyidai_shared.uscc import validate_uscc
from xinyidai_shared.web import get_runtime

from ..adapters import alerts_repo
from ..adapters.alerts_repo import ALERT_FIELDS
from ..schemas import AlertRead

router = APIRouter(prefix="/v1", tags=["risk alerts"])


def _alert_read(row: Any) -> AlertRead:
    return AlertRead(cursor=row.seq, **{k: getattr(row, k) for k in ALERT_FIELDS})


@router.get("/enterprises/{uscc}/alerts", response_model=list[AlertRead])
async def enterprise_alerts(
    uscc: str, request: Request, _: Principal = Depends(require(*CREDIT_FILE_READERS))
) -> Any:
    """Every risk alert raised about one enterprise, oldest first."""
    validate_uscc(uscc)
    async with get_runtime(request).db.read_session() as session:
        return [_alert_read(r) for r in await alerts_repo.for_enterprise(session, uscc)]
