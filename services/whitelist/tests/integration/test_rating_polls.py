"""A poll's run of rating changes applied at once ends where applying them one by one would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from whitelist.adapters.tables import CreditProjectionRow
from whitelist.app import create_app
from whitelist.testing import CREDIT, DEPT, LG, application_body, deliver, new_uscc, rating, upload_all
from xinyidai_shared.consumer import apply_group
from xinyidai_shared.events import DishonestyRecorded, envelope_for
from xinyidai_shared.testing import app_client

T0 = datetime(2026, 10, 1, tzinfo=UTC)


async def _member(client, app) -> str:  # noqa: ANN001
    created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
    await upload_all(client, created["id"])
    await deliver(app, rating(created["uscc"], "A", at=T0))
    for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
        assert (await client.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)).status_code == 200
    return created["uscc"]


async def _poll(app, payloads: list) -> int:  # noqa: ANN001
    runtime = app.state.runtime
    envelopes = [envelope_for(p) for p in payloads]
    envelopes.append(envelopes[0])  # the same event twice in one poll applies once
    items = [(runtime.spec.handlers[e.type], e, e.decode()) for e in envelopes]
    return await apply_group(runtime.uow, items, runtime.spec.group_handlers)


async def test_a_poll_of_ratings_upserts_newest_skips_older_and_suspends_like_one_by_one(db_url, settings_for, clock) -> None:
    app = create_app(settings_for(db_url), clock=clock)
    async with app_client(app) as client:
        downgraded, stale, dishonest = await _member(client, app), await _member(client, app), await _member(client, app)
        known, fresh = new_uscc(), new_uscc()
        await deliver(app, rating(known, "A", at=T0))
        later = T0 + timedelta(days=1)
        applied = await _poll(app, [
            rating(fresh, "AA", at=later), rating(known, "AAA", at=later), rating(stale, "C", at=T0 - timedelta(days=1)),
            rating(downgraded, "B", at=later), DishonestyRecorded(uscc=dishonest, record_id="court-9", source="court",
                                                                  reason="被执行人", started_on=later.date()),
            rating(fresh, "A", at=later + timedelta(hours=1)), rating(downgraded, "AA", at=later + timedelta(hours=1)),
            rating(dishonest, "AA", at=later),
        ])
        assert applied == 8
        runtime = app.state.runtime
        table = CreditProjectionRow.__table__
        async with runtime.db.read_session() as session:
            grades = {u: g for u, g in await session.execute(select(table.c.uscc, table.c.grade))}
            outbox = runtime.spec.tables.outbox
            delisted = [json.loads(r) for r in (await session.execute(
                select(outbox.c.envelope).where(outbox.c.type == "EnterpriseDelisted"))).scalars()]
        assert grades[fresh] == "A" and grades[known] == "AAA" and grades[stale] == "A" and grades[downgraded] == "AA"
        assert grades[dishonest] == "AA"
        # The B came first (a newer AA followed it in the same poll): it suspends, as one by one it would.
        assert sorted((d["payload"]["uscc"], d["payload"]["reason_code"]) for d in delisted) == sorted(
            [(downgraded, "CREDIT_RATING_BELOW_A"), (dishonest, "DISHONESTY_RECORDED")])
        statuses = {u: (await client.get(f"/v1/public/list/{u}")).json()["status"] for u in (downgraded, stale, dishonest)}
        assert statuses == {downgraded: "suspended", stale: "listed", dishonest: "suspended"}
        assert await _poll(app, [rating(fresh, "AA", at=later)]) == 1  # only the new one: the repeat is in the inbox
