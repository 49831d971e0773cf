"""Request bodies are bounded before they are parsed: on every service, and on a real server a 20 MB JSON
body is refused after at most a few of its megabytes, with or without a declared length."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tools.stack import SERVICES, env_prefix
from xinyidai_shared.testing import free_port

MB = 1024 * 1024
BODY_MB = 20
WRITE_ROUTES = {"credit-data": "/v1/feeds/batch", "whitelist": "/v1/applications", "fund-ledger": "/v1/deposits/initial-capital",
                "claims": "/v1/loans"}


def _app(service: str):  # noqa: ANN202
    package = SERVICES[service]
    config = __import__(f"{package}.config", fromlist=["Settings"])
    return __import__(f"{package}.app", fromlist=["create_app"]).create_app(
        config.Settings(dev_mode=True, database_url="sqlite+aiosqlite:///:memory:")
    )


@pytest.mark.parametrize("service", list(SERVICES))
async def test_every_service_refuses_a_declared_oversize_json_body_without_reading_it(service: str) -> None:
    app = _app(service)

    async def receive():  # noqa: ANN202 - reading any of the body would be the bug
        raise AssertionError("the body was read")

    sent: list[dict] = []

    async def send(message):  # noqa: ANN001, ANN202
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": WRITE_ROUTES[service], "raw_path": WRITE_ROUTES[service].encode(),
             "query_string": b"", "headers": [(b"content-type", b"application/json"), (b"content-length", str(BODY_MB * MB).encode())],
             "http_version": "1.1", "scheme": "http", "server": ("test", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    await app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert orjson.loads(sent[1]["body"])["code"] == "BODY_TOO_LARGE"
    assert dict(sent[0]["headers"])[b"content-type"] == b"application/problem+json"


@pytest.fixture(scope="module")
def claims_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, int]]:
    """claims as a real uvicorn process (no broker needed to refuse a body)."""
    work = tmp_path_factory.mktemp("limits")
    port = free_port()
    prefix = env_prefix("claims")
    env = {**os.environ, f"{prefix}DEV_MODE": "true", f"{prefix}PORT": str(port), f"{prefix}LOG_LEVEL": "WARNING",
           f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{work / 'claims.db'}", f"{prefix}KAFKA_BOOTSTRAP": "",
           "XYD_EVENT_KEYS_DIR": str(work / "keys")}
    log = open(work / "claims.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "claims"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise TimeoutError((work / "claims.log").read_text()[-2000:])
        yield "127.0.0.1", port, proc.pid
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _push(address: tuple[str, int], head: bytes, chunks: Iterator[bytes]) -> tuple[bytes, int]:
    """Send ``head`` then body chunks until the server answers or hangs up; (answer, body bytes sent)."""
    sock = socket.create_connection(address, timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    sent, answer = 0, b""
    try:
        sock.sendall(head)
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        sock.settimeout(10)
        while True:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            answer += data
    finally:
        sock.close()
    return answer, sent


def _json_body_chunks(chunked: bool) -> Iterator[bytes]:
    """A 20 MB JSON document in 64 KB pieces (framed as HTTP chunks when ``chunked``)."""
    piece = b"[" + b'"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",' * 2047 + b'"x"]'  # ~64 KB, valid JSON on its own
    for _ in range(BODY_MB * MB // len(piece)):
        yield (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
    if chunked:
        yield b"0\r\n\r\n"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_20_mb_json_body_is_refused_before_it_is_read_whole(claims_server: tuple[str, int, int], chunked: bool) -> None:
    host, port, pid = claims_server
    framing = b"Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {BODY_MB * MB}\r\n".encode()
    head = b"POST /v1/loans HTTP/1.1\r\nHost: claims\r\nContent-Type: application/json\r\n" + framing + b"\r\n"
    before = _rss_kb(pid)
    answer, sent = _push((host, port), head, _json_body_chunks(chunked))
    grown_mb = (_rss_kb(pid) - before) / 1024
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer and b"BODY_TOO_LARGE" in answer
    # The server stopped reading: what the client got through is the limit plus socket buffers, not 20 MB.
    assert sent < 6 * MB, f"{sent / MB:.1f} MB of the body went through before the refusal"
    assert grown_mb < 10, f"the server grew by {grown_mb:.1f} MB while refusing"
