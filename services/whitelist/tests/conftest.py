"""Fixtures for whitelist's tests: an app on a real database, a movable clock, ready-made applications."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from whitelist.app import create_app
from whitelist.config import Settings
from whitelist.testing import CREDIT, DEPT, LG, Clock, application_body, deliver, rating, upload_all
from xinyidai_shared.testing import TEST_SECRET, app_client


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))  # Monday 09:00 in Shanghai


@pytest.fixture
def settings_for(sqlite_url: str) -> Callable[..., Settings]:
    def build(url: str | None = None, **overrides: Any) -> Settings:
        values: dict[str, Any] = dict(database_url=url or sqlite_url, auth_secret=TEST_SECRET, kafka_bootstrap="",
                                      notice_working_days=0, log_json=False, rereview_sweep_interval_s=3600,
                                      dev_mode=True)  # dev mode: the 0-day notice compresses time
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
async def api(settings_for: Callable[..., Settings], clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a whitelist app over a fresh SQLite file, with a 0-day notice and the test clock."""
    app = create_app(settings_for(), clock=clock)
    async with app_client(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def to_state(api: httpx.AsyncClient) -> Callable[[str], Awaitable[dict[str, Any]]]:
    """Create an application (department) and walk it up to ``target`` with a passing credit record."""

    async def walk(target: str, **changes: Any) -> dict[str, Any]:
        created = await api.post("/v1/applications", json=application_body(**changes), headers=DEPT)
        assert created.status_code == 201, created.text
        app_json = created.json()
        steps = [("screened", "screen", DEPT), ("credit_checked", "credit-check", CREDIT),
                 ("in_notice", "review", LG), ("recommended", "conclude", LG)]
        if target == "submitted":
            return app_json
        await upload_all(api, app_json["id"])
        await deliver(api.app, rating(app_json["uscc"]))  # type: ignore[attr-defined]
        for state, path, headers in steps:
            response = await api.post(f"/v1/applications/{app_json['id']}/{path}", json={}, headers=headers)
            assert response.status_code == 200, response.text
            app_json = response.json()
            if state == target:
                break
        return app_json

    return walk
