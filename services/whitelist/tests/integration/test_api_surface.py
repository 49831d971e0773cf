"""The API surface: OpenAPI builds, every route documents itself, public applying is rate-limited."""

from __future__ import annotations

from fastapi.routing import APIRoute

from whitelist.app import create_app
from whitelist.testing import application_body
from xinyidai_shared.testing import app_client


async def test_openapi_builds_and_every_route_has_a_one_line_docstring(api) -> None:
    schema = (await api.get("/openapi.json")).json()
    assert "/applications/{application_id}/conclude" in schema["paths"]
    undocumented = [r.path for r in api.app.routes if isinstance(r, APIRoute) and not (r.endpoint.__doc__ or "").strip()]
    assert undocumented == []


async def test_public_applications_are_limited_per_address(settings_for, clock) -> None:
    app = create_app(settings_for(public_apply_rate_limit=2), clock=clock)
    async with app_client(app) as client:
        answers = [await client.post("/applications", json=application_body()) for _ in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert answers[2].json()["code"] == "RATE_LIMITED"
