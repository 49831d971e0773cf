"""Rules two services must apply alike, checked by handing one service's real events to the other."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from claims.adapters import standing_repo
from claims.app import create_app as create_claims
from claims.config import Settings as ClaimsSettings
from credit_data.adapters.tables import messaging as credit_messaging
from credit_data.app import create_app as create_credit_data
from credit_data.config import Settings as CreditSettings
from credit_data.service_layer.dishonesty import expire_records
from xinyidai_shared.auth import Role
from xinyidai_shared.clock import today_shanghai, utcnow
from xinyidai_shared.events import Envelope
from xinyidai_shared.testing import TEST_SECRET, app_client, auth, deliver
from xinyidai_shared.uscc import make_uscc


async def _published(app, type_: str) -> list:  # noqa: ANN001 - a FastAPI app
    outbox = credit_messaging.outbox
    async with app.state.runtime.db.read_session() as session:
        rows = (await session.execute(select(outbox.c.envelope).where(outbox.c.type == type_).order_by(outbox.c.seq))).scalars()
        return [Envelope.model_validate_json(row).decode() for row in rows]


async def test_claims_and_credit_data_agree_on_the_last_day_of_a_dishonesty_record(tmp_path) -> None:  # noqa: ANN001
    """Invariant: on its expiry date a record binds in both services; from the next day in neither."""
    uscc, today = make_uscc("MA7EXP1RY"), today_shanghai()
    credit = create_credit_data(CreditSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/credit.db", auth_secret=TEST_SECRET,
                                               upload_dir=str(tmp_path / "up"), log_json=False))
    claims = create_claims(ClaimsSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/claims.db", auth_secret=TEST_SECRET,
                                          log_json=False))
    async with app_client(credit) as client, app_client(claims):
        body = {"uscc": uscc, "reference": "R-1", "reason": "拒不履行", "started_on": (today - timedelta(days=30)).isoformat(),
                "expires_on": today.isoformat()}
        assert (await client.post("/v1/dishonesty-records", json=body, headers=auth(Role.DEPARTMENT, "dept-a"))).status_code == 201
        assert uscc in {r["uscc"] for r in (await client.get("/v1/public/dishonesty-records")).json()}
        assert await expire_records(credit.state.runtime, today=today + timedelta(days=1), now=utcnow()) == 1
        for event in await _published(credit, "DishonestyRecorded") + await _published(credit, "DishonestyRemoved"):
            await deliver(claims, event)
        async with claims.state.runtime.db.read_session() as session:
            history = await standing_repo.history(session, uscc)
        assert history.standing_on(today).dishonesty_ids == ("dept-a:R-1",)
        assert history.standing_on(today + timedelta(days=1)).dishonesty_ids == ()
