"""The same workflow on SQLite and on a real PostgreSQL; concurrency; migrations match the tables."""

from __future__ import annotations

import asyncio

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
