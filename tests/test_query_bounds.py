"""Every integer parameter of every GET route is bounded and strict: bad values are a 4xx, never a 500.

The routes are found in each service's OpenAPI, so a route added later is checked too. Each integer
parameter must declare its range (minimum and maximum); values outside it, too big for 64 bits, signed,
spaced, fractional or written with other digits are refused with problem+json naming the parameter; its
two ends are answered without a server error on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from tools.stack import SERVICES, declared_roles
from xinyidai_shared.auth import SOURCES
from xinyidai_shared.testing import TEST_SECRET, app_client, auth

BAD = ["9223372036854775808", "99999999999999999999999", "²", "１", "٣", "-1", "1.5", "+1", " 1", "1 ", "0x10",
       "1e3", "1_000", "", "abc"]  # fmt: skip
CURSOR_NAMES = {"cursor", "after", "after_line", "offset", "limit", "page"}


def _app(service: str, db_url: str):  # noqa: ANN202
    package = SERVICES[service]
    config = __import__(f"{package}.config", fromlist=["Settings"])
    app_module = __import__(f"{package}.app", fromlist=["create_app"])
    return app_module.create_app(config.Settings(database_url=db_url, auth_secret=TEST_SECRET, dev_mode=True))


def _integer(schema: dict) -> dict | None:
    """The integer schema of a parameter (also inside ``anyOf`` with null), or None."""
    for candidate in [schema, *schema.get("anyOf", [])]:
        if candidate.get("type") == "integer":
            return candidate
    return None


def _cases(app) -> list[tuple[str, dict, list[dict], str]]:  # noqa: ANN001
    """(path template, the parameter, all parameters, a role allowed to call it) for every integer parameter."""
    spec = app.openapi()
    cases = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        parameters = spec["paths"][context.path]["get"].get("parameters", [])
        roles = sorted(declared_roles(route.dependant) or [])
        for parameter in parameters:
            if _integer(parameter["schema"]) is not None or parameter["name"] in CURSOR_NAMES:
                cases.append((context.path, parameter, parameters, roles[0] if roles else ""))
    return cases


def _request(path: str, target: dict, parameters: list[dict], value: str) -> tuple[str, dict[str, str]]:
    """The URL and query with ``value`` for the target parameter and a plain value for the others."""
    query: dict[str, str] = {}
    for parameter in parameters:
        if parameter is target:
            text = value
        elif _integer(parameter["schema"]) is not None:
            text = str(_integer(parameter["schema"]).get("minimum", 1))
        elif not parameter.get("required"):
            continue
        else:
            text = "x"
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", text or "x")
        elif parameter["in"] == "query":
            query[parameter["name"]] = text
    return path, query


def _about(response, parameter: dict) -> bool:  # noqa: ANN001
    """Whether a refusal names this parameter."""
    fields = {e.get("field") for e in response.json().get("errors", [])}
    return f"{parameter['in']}.{parameter['name']}" in fields


@pytest.mark.parametrize("service", list(SERVICES))
async def test_integer_parameters_are_bounded_and_refuse_bad_values_with_a_4xx(service: str, db_url: str) -> None:
    app = _app(service, db_url)
    cases = _cases(app)
    async with app_client(app) as client:
        for path, parameter, parameters, role in cases:
            schema = _integer(parameter["schema"])
            where = f"{service} GET {path} {parameter['in']} {parameter['name']}"
            assert schema is not None, f"{where}: not an integer parameter"
            assert "minimum" in schema and "maximum" in schema, f"{where}: declares no explicit range"
            headers = auth(role, f"{role}-probe", sources=SOURCES) if role else {}
            for value in [*BAD, str(schema["maximum"] + 1), str(schema["minimum"] - 1)]:
                url, query = _request(path, parameter, parameters, value)
                response = await client.get(url, params=query, headers=headers)
                assert 400 <= response.status_code < 500, f"{where}={value!r}: {response.status_code} {response.text[:200]}"
                assert response.headers["content-type"] == "application/problem+json", f"{where}={value!r}"
                if parameter["in"] == "query" and value != "":
                    assert _about(response, parameter), f"{where}={value!r} refused for another reason: {response.text[:300]}"
            for value in (schema["minimum"], schema["maximum"]):
                url, query = _request(path, parameter, parameters, str(value))
                response = await client.get(url, params=query, headers=headers)
                assert response.status_code < 500, f"{where}={value}: {response.status_code} {response.text[:200]}"
                if response.status_code == 422:
                    assert not _about(response, parameter), f"{where}={value} is in range but refused"


def test_the_walk_finds_the_paged_lists_of_every_service() -> None:
    found = set()
    for service in SERVICES:
        app = _app(service, "sqlite+aiosqlite:///:memory:")
        found |= {(service, path, p["name"]) for path, p, _, _ in _cases(app)}
    expected = {("fund-ledger", "/v1/journal", "cursor"), ("claims", "/v1/loans", "offset"),
                ("claims", "/v1/claims", "offset"), ("whitelist", "/v1/applications", "offset"),
                ("claims", "/v1/webhooks/messages", "after"), ("credit-data", "/v1/feeds/jobs/{job_id}/rejections", "after_line")}  # fmt: skip
    assert expected <= found, f"the walk missed {expected - found}"
