"""The same workflow on SQLite and on a real PostgreSQL; concurrency; migrations match the tables."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from whitelist.adapters.tables import metadata
from whitelist.app import create_app
from whitelist.testing import CREDIT, DEPT, LG, application_body, deliver, rating, upload_all
from xinyidai_shared.migrations import schema_drift
from xinyidai_shared.testing import app_client


async def test_walk_to_recommended_then_suspend_on_each_database(db_url, settings_for, clock) -> None:
    app = create_app(settings_for(db_url), clock=clock)
    async with app_client(app) as client:
        created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
        await upload_all(client, created["id"])
        await deliver(app, rating(created["uscc"]))
        for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
            response = await client.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)
            assert response.status_code == 200, response.text
        assert response.json()["revenue"] == "5000000.00"
        await deliver(app, rating(created["uscc"], "C"))
        detail = (await client.get(f"/v1/public/list/{created['uscc']}")).json()
        assert [p["status"] for p in detail["history"]] == ["listed", "suspended"]


async def test_concurrent_applications_for_one_enterprise_give_one_201_and_409s(db_url, settings_for, clock) -> None:
    app = create_app(settings_for(db_url), clock=clock)
    async with app_client(app) as client:
        body = application_body()
        answers = await asyncio.gather(*(client.post("/v1/applications", json=body, headers=DEPT) for _ in range(6)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201, 409, 409, 409, 409, 409]
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {"APPLICATION_OPEN"}


async def test_concurrent_steps_on_one_application_move_it_once(db_url, settings_for, clock) -> None:
    app = create_app(settings_for(db_url), clock=clock)
    async with app_client(app) as client:
        created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
        await upload_all(client, created["id"])
        url = f"/v1/applications/{created['id']}/screen"
        answers = await asyncio.gather(*(client.post(url, json={}, headers=DEPT) for _ in range(5)))
        assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
        view = (await client.get(f"/v1/applications/{created['id']}", headers=DEPT)).json()
        assert [t["to_status"] for t in view["transitions"]] == ["submitted", "screened"]


async def test_migrations_create_exactly_the_declared_tables(db_url, settings_for) -> None:
    app = create_app(settings_for(db_url))
    async with app_client(app):
        assert await schema_drift(app.state.runtime.db, metadata) == []


async def test_overrides_saved_before_the_calendar_was_shared_are_announced_signed_by_the_service(
    db_url, settings_for, clock
) -> None:
    """Claims learns the days officers declared before WorkingCalendarChanged existed, once, signed."""
    from alembic import command
    from sqlalchemy import text

    from whitelist.app import spec
    from xinyidai_shared.db import Database
    from xinyidai_shared.migrations import alembic_config
    from xinyidai_shared.testing import eventually

    db = Database(db_url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(spec.migrations, c), "0004_applicants_exceptions"))
            await conn.execute(text("INSERT INTO calendar_override (day, working, note, set_by, set_at) "
                                    "VALUES ('2027-01-01', false, '元旦', 'lg-office', '2026-12-20 01:00:00')"))
    finally:
        await db.dispose()
    app = create_app(settings_for(db_url), clock=clock)
    outbox = app.state.runtime.spec.tables.outbox

    async def announced() -> list:
        async with app.state.runtime.db.read_session() as session:
            return (await session.execute(select(outbox.c.key, outbox.c.type, outbox.c.envelope))).all()

    async with app_client(app):
        await eventually(announced)
        rows = await announced()
    again = create_app(settings_for(db_url), clock=clock)
    async with app_client(again):  # a restart announces nothing again

        async def announcer_done() -> bool:
            return again.state.runtime.supervisor.tasks["calendar-announcer"].done()

        await eventually(announcer_done)
        assert len(await announced()) == 1
    assert [(r.key, r.type) for r in rows] == [("calendar", "WorkingCalendarChanged")]
    assert '"day":"2027-01-01"' in rows[0].envelope and '"signature"' in rows[0].envelope
