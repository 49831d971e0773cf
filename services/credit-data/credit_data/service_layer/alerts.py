"""Raising risk alerts: once per (enterprise, rule, trigger), recorded and published (RiskAlertRaised).

Banks hear of an alert about an enterprise they lend to from claims, which knows the loans: its message
feed and webhooks (docs/WEBHOOKS.md) are the one way a bank is told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from xinyidai_shared.events import RiskAlertRaised
from xinyidai_shared.uow import UnitOfWork

from ..adapters import alerts_repo
from ..domain.risk import RiskHit


async def raise_alerts(uow: UnitOfWork, hits: Sequence[tuple[str, RiskHit]], *, now: datetime) -> int:
    """Record and publish the hits not seen before; return how many alerts were new."""
    by_id = {hit.alert_id(uscc): (uscc, hit) for uscc, hit in hits}
    known = await alerts_repo.known_ids(uow.session, list(by_id))  # once: an await in the filter ran it per hit
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
    await alerts_repo.add(uow.session, rows)
    return len(new_ids)
