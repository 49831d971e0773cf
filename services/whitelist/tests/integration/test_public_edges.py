"""Public endpoints cannot hold the service hostage: sizes are refused up front, slow bodies hold no lock."""

from __future__ import annotations

import asyncio
import time

import httpx

from xinyidai_shared.body_limits import BodySizeLimit, RouteLimit
from whitelist.testing import DEPT, application_body


async def test_material_upload_declaring_too_much_is_refused_before_any_byte_is_read() -> None:
    reached = []

    async def app(scope, receive, send):  # noqa: ANN001, ANN202 - the wrapped ASGI app must not be reached
        reached.append(scope["path"])

    async def receive():  # noqa: ANN202 - reading the body would be the bug
        raise AssertionError("the body was read")

    sent = []

    async def send(message):  # noqa: ANN001, ANN202
        sent.append(message)

    limit = BodySizeLimit(app, routes=[RouteLimit("PUT", "/v1/applications/{id}/materials/{kind}", 1000, "MATERIAL_TOO_LARGE")])
    scope = {"type": "http", "method": "PUT", "path": "/v1/applications/a1/materials/business_licence",
             "headers": [(b"content-length", b"524288000")]}
    await limit(scope, receive, send)
    assert reached == [] and sent[0]["status"] == 413


async def test_a_slow_public_objection_does_not_hold_up_other_writers(api: httpx.AsyncClient, to_state) -> None:  # noqa: ANN001
    noticed = await to_state("in_notice")

    async def slow_body():  # noqa: ANN202
        yield b'{"text": "the enterprise owes'
        await asyncio.sleep(1.5)
        yield b' wages"}'

    objection = asyncio.create_task(
        api.post(f"/v1/public/notices/{noticed['id']}/objections", content=slow_body(), headers={"content-type": "application/json"})
    )
    await asyncio.sleep(0.2)  # the objection is now waiting for the rest of its body
    started = time.monotonic()
    other = await api.post("/v1/applications", json=application_body(), headers=DEPT)
    waited = time.monotonic() - started
    assert other.status_code == 201
    assert waited < 1.0, f"a department write waited {waited:.2f}s behind a slow public body"
    assert (await objection).status_code == 201
