"""Sending one signed webhook: resolve the host, refuse forbidden addresses, POST to the address checked.

The request goes to the very address that passed the check (the URL's host stays in the Host header and
the TLS server name), so a DNS answer that changes between the check and the connection cannot redirect a
message to a private address. Redirects are not followed. Signatures are made by the ``standardwebhooks``
library: ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (one ``v1,<base64>`` per secret in
force, so a rotated secret's receivers keep verifying during the overlap).
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks import Webhook
from xinyidai_shared.errors import DomainError

from claims.domain.webhooks import Target, literal_address, parse_target, refuse_addresses

EXCERPT_BYTES = 500
USER_AGENT = "Xinyidai-Webhooks/1"


async def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to now (an IP literal is itself)."""
    literal = literal_address(host)
    if literal is not None:
        return [str(literal)]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return []
    return [info[4][0] for info in infos]


async def checked_target(url: str, *, allow_loopback: bool) -> tuple[Target, list[str]]:
    """The URL's form checked, its host resolved and every address it resolves to allowed (or Invalid)."""
    target = parse_target(url, allow_loopback=allow_loopback)
    addresses = refuse_addresses(target.host, await resolve(target.host, target.port), allow_loopback=allow_loopback)
    return target, addresses


def signature_header(message_id: str, at: datetime, body: str, secrets: list[str]) -> str:
    """``v1,<sig>`` for each secret in force, space-separated (Standard Webhooks)."""
    return " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None
    excerpt: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def _pinned_url(url: str, address: str, port: int) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    return urlunsplit((parts.scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))


async def post(client: httpx.AsyncClient, *, url: str, message_id: str, body: str, secrets: list[str], at: datetime,
               allow_loopback: bool, timeout_s: float) -> Outcome:
    """One delivery attempt within ``timeout_s`` overall (DNS, connect, send, first bytes of the answer)."""
    started = time.perf_counter()

    def done(status: int | None, error: str | None, excerpt: str | None = None) -> Outcome:
        return Outcome(status, round((time.perf_counter() - started) * 1000), error, excerpt)

    try:
        async with asyncio.timeout(timeout_s):
            try:
                target, addresses = await checked_target(url, allow_loopback=allow_loopback)
            except DomainError as refused:
                return done(None, f"{refused.code}: {refused.detail}")
            headers = {
                "content-type": "application/json", "user-agent": USER_AGENT,
                "host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
                "webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
                "webhook-signature": signature_header(message_id, at, body, secrets),
            }
            request = client.build_request("POST", _pinned_url(url, addresses[0], target.port), content=body.encode(),
                                           headers=headers, extensions={"sni_hostname": target.host})
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                excerpt = await _excerpt(response)
            finally:
                await response.aclose()
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
            return done(response.status_code, error, excerpt)
    except TimeoutError:
        return done(None, f"timed out after {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return done(None, f"{type(exc).__name__}: {exc}"[:500])


async def _excerpt(response: httpx.Response) -> str | None:
    """The first bytes of the answer, for the bank's delivery log (never the whole of a large body)."""
    taken = b""
    async for chunk in response.aiter_raw():
        taken += chunk
        if len(taken) >= EXCERPT_BYTES:
            break
    return taken[:EXCERPT_BYTES].decode("utf-8", "replace") or None
