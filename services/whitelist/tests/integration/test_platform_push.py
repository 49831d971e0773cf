"""Outbound push of recommendations to the national platform, against a local recording HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from whitelist.adapters.national_platform import PlatformClient
from whitelist.app import create_app
from whitelist.service_layer.platform import push_due
from whitelist.testing import LG
from xinyidai_shared.testing import app_client, eventually, free_port


class Recorder:
    """A local platform: records every POST; answers 503 to the first ``failures`` ones."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.pushes: list[dict] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with recorder.lock:
                    recorder.pushes.append({"key": self.headers["Idempotency-Key"], "auth": self.headers["Authorization"],
                                            "body": json.loads(body)})
                    fail = len(recorder.pushes) <= recorder.failures
                self.send_response(503 if fail else 201)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/recommendations"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def platform() -> Iterator[Recorder]:
    recorder = Recorder(failures=1)
    yield recorder
    recorder.close()


async def test_recommendation_is_pushed_and_a_failed_push_is_retried_with_the_same_key(
    api, to_state, clock, platform
) -> None:
    member = await to_state("recommended")
    runtime = api.app.state.runtime  # type: ignore[attr-defined]
    client = PlatformClient(platform.url, token="national-token")
    try:
        assert await push_due(runtime.uow, client, max_attempts=5, now=clock()) == 0  # 503 from the platform
        pending = (await api.get("/v1/platform-pushes", headers=LG)).json()[0]
        assert pending["status"] == "pending" and pending["attempts"] == 1 and "503" in pending["last_error"]
        assert await push_due(runtime.uow, client, max_attempts=5, now=clock()) == 0  # backing off: not due
        clock.advance(seconds=3)
        assert await push_due(runtime.uow, client, max_attempts=5, now=clock()) == 1
    finally:
        await client.aclose()
    assert len(platform.pushes) == 2
    assert platform.pushes[0]["key"] == platform.pushes[1]["key"]  # the retry carries the same idempotency key
    assert platform.pushes[1]["auth"] == "Bearer national-token"
    assert platform.pushes[1]["body"]["uscc"] == member["uscc"]
    assert platform.pushes[1]["body"]["recommended_on"] == "2026-11-02"
    sent = (await api.get("/v1/platform-pushes", headers=LG)).json()[0]
    assert sent["status"] == "sent" and sent["attempts"] == 2


async def test_push_gives_up_after_the_configured_attempts(api, to_state, clock) -> None:
    await to_state("recommended")
    runtime = api.app.state.runtime  # type: ignore[attr-defined]
    client = PlatformClient(f"http://127.0.0.1:{free_port()}/nobody-listens", timeout_s=1)
    try:
        for _ in range(2):
            await push_due(runtime.uow, client, max_attempts=2, now=clock())
            clock.advance(minutes=20)
    finally:
        await client.aclose()
    row = (await api.get("/v1/platform-pushes", headers=LG)).json()[0]
    assert row["status"] == "failed" and row["attempts"] == 2 and "Connect" in row["last_error"]


async def test_the_running_service_pushes_on_its_own(settings_for, clock, platform) -> None:
    from whitelist.testing import CREDIT, DEPT, application_body, deliver, rating, upload_all

    settings = settings_for(national_platform_url=platform.url, platform_push_interval_s=0.05)
    app = create_app(settings, clock=clock)
    platform.failures = 0
    async with app_client(app) as client:
        created = (await client.post("/v1/applications", json=application_body(), headers=DEPT)).json()
        await upload_all(client, created["id"])
        await deliver(app, rating(created["uscc"]))
        for path, headers in (("screen", DEPT), ("credit-check", CREDIT), ("review", LG), ("conclude", LG)):
            await client.post(f"/v1/applications/{created['id']}/{path}", json={}, headers=headers)

        async def pushed() -> bool:
            return any(p["body"]["uscc"] == created["uscc"] for p in platform.pushes)

        await eventually(pushed, timeout_s=10)
