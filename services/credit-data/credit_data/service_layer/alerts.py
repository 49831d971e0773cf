"""Raising risk alerts: once per (enterprise, rule, trigger), published and fanned out to lending banks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select

from xinyidai_shared.events import RiskAlertRaised
from xinyidai_shared.uow import UnitOfWork

from ..adapters.tables import bank_alert, loan_exposure, risk_alert, webhook, webhook_delivery
from ..domain.risk import RiskHit

CHUNK = 500


async def _known_alert_ids(uow: UnitOfWork, ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        rows = await uow.session.execute(select(risk_alert.c.alert_id).where(risk_alert.c.alert_id.in_(ids[start : start + CHUNK])))
        known.update(rows.scalars())
    return known


async def _lenders(uow: UnitOfWork, usccs: list[str]) -> dict[str, set[str]]:
    """Banks holding active loans to each enterprise, from LoanRegistered / LoanRepaid."""
    lenders: dict[str, set[str]] = {}
    c = loan_exposure.c
    for start in range(0, len(usccs), CHUNK):
        rows = await uow.session.execute(select(c.uscc, c.bank_id).where(c.uscc.in_(usccs[start : start + CHUNK]), c.active))
        for uscc, bank_id in rows:
            lenders.setdefault(uscc, set()).add(bank_id)
    return lenders


async def raise_alerts(uow: UnitOfWork, hits: Sequence[tuple[str, RiskHit]], *, now: datetime) -> int:
    """Record and publish the hits not seen before; return how many alerts were new."""
    by_id = {hit.alert_id(uscc): (uscc, hit) for uscc, hit in hits}
    known = await _known_alert_ids(uow, list(by_id))  # once: an await in the filter ran it per hit
    new_ids = [a for a in by_id if a not in known]
    if not new_ids:
        return 0
    rows = []
    for alert_id in new_ids:
        uscc, hit = by_id[alert_id]
        rows.append({"alert_id": alert_id, "uscc": uscc, "rule": hit.rule, "severity": hit.severity, "detail": hit.detail, "raised_at": now})
        uow.publish(
            RiskAlertRaised(
                uscc=uscc, alert_id=alert_id, rule=hit.rule, severity=hit.severity, detail=hit.detail, raised_at=now  # type: ignore[arg-type]
            )
        )
    await uow.session.execute(insert(risk_alert), rows)
    lenders = await _lenders(uow, sorted({by_id[a][0] for a in new_ids}))
    fan_out = [{"bank_id": bank, "alert_id": a} for a in new_ids for bank in sorted(lenders.get(by_id[a][0], ()))]
    if fan_out:
        await uow.session.execute(insert(bank_alert), fan_out)
        hooked = set((await uow.session.execute(select(webhook.c.bank_id))).scalars())
        deliveries = [
            {"bank_id": f["bank_id"], "alert_id": f["alert_id"], "status": "pending", "attempts": 0, "next_attempt_at": now}
            for f in fan_out
            if f["bank_id"] in hooked
        ]
        if deliveries:
            await uow.session.execute(insert(webhook_delivery), deliveries)
    return len(new_ids)
