"""The API surface: OpenAPI builds, every route documents itself, public applying is rate-limited."""

from __future__ import annotations

from fastapi.routing import APIRoute

from whitelist.app import create_app
from whitelist.entrypoints import api_applications, api_exports, api_list, api_notices
from whitelist.testing import application_body
from xinyidai_shared.testing import app_client


# FastAPI 0.16x keeps included routers lazily (``app.routes`` holds no APIRoute), so walk our routers.
ROUTES = [r for m in (api_applications, api_notices, api_list, api_exports) for r in m.router.routes
          if isinstance(r, APIRoute)]


def _declared_roles(dependant) -> frozenset | None:  # noqa: ANN001
    roles = getattr(dependant.call, "allowed_roles", None)
    if roles is not None:
        return roles
    return next((found for sub in dependant.dependencies if (found := _declared_roles(sub)) is not None), None)


async def test_openapi_builds_and_every_route_has_a_one_line_docstring(api) -> None:
    schema = (await api.get("/openapi.json")).json()
    assert len(ROUTES) >= 25
    assert {"/v1" + r.path for r in ROUTES} <= set(schema["paths"])
    assert [r.path for r in ROUTES if not (r.endpoint.__doc__ or "").strip()] == []


def test_every_route_declares_its_roles_or_is_public_by_path() -> None:
    for route in ROUTES:
        roles = _declared_roles(route.dependant)
        if route.path.startswith("/public/"):
            assert roles is None, f"{route.path} is public but asks for roles"
        else:
            assert roles, f"{sorted(route.methods)} {route.path} declares no roles"


async def test_public_applications_are_limited_per_address(settings_for, clock) -> None:
    app = create_app(settings_for(public_apply_rate_limit=2), clock=clock)
    async with app_client(app) as client:
        answers = [await client.post("/v1/applications", json=application_body()) for _ in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert answers[2].json()["code"] == "RATE_LIMITED"
