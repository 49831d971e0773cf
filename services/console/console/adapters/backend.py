"""Calls to the four services' HTTP APIs on behalf of a signed-in person (or the public)."""

from __future__ import annotations

from typing import Any

import httpx

from xinyidai_shared.logs import CORRELATION_HEADER, correlation_id


class Problem(Exception):
    """A service refused (problem+json), or could not be reached; pages show it next to the field."""

    def __init__(self, status: int, code: str, detail: str, errors: list[dict] | None = None, **extra: Any) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail = status, code, detail
        self.errors = errors or []
        self.extra = extra

    @classmethod
    def from_response(cls, response: httpx.Response) -> Problem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        known = {"type", "title", "status", "code", "detail", "errors"}
        errors = body.get("errors") if isinstance(body.get("errors"), list) else []
        return cls(response.status_code, str(body.get("code") or f"HTTP_{response.status_code}"),
                   str(body.get("detail") or response.reason_phrase), errors,
                   **{k: v for k, v in body.items() if k not in known})


class Backend:
    """One pooled HTTP client for every service; every call names the service and the token to use."""

    def __init__(self, urls: dict[str, str], *, timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.urls = urls
        self.client = httpx.AsyncClient(
            timeout=timeout_s, transport=transport, limits=httpx.Limits(max_connections=100, max_keepalive_connections=40)
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def send(
        self, method: str, service: str, path: str, *, token: str | None = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        """The raw answer of a service; 4xx/5xx raise ``Problem``, an unreachable service is a 503 Problem."""
        sent = {CORRELATION_HEADER: correlation_id.get() or ""} | (headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            response = await self.client.request(method, self.urls[service] + path, headers=sent, **kw)
        except httpx.HTTPError as exc:
            raise Problem(503, "SERVICE_UNAVAILABLE", f"{service} did not answer ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            raise Problem.from_response(response)
        return response

    async def get(self, service: str, path: str, *, token: str | None = None, params: dict | None = None) -> Any:
        """GET a JSON document."""
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        return (await self.send("GET", service, path, token=token, params=clean)).json()

    async def post(self, service: str, path: str, *, token: str | None = None, json: Any = None, **kw: Any) -> Any:
        """POST (JSON unless ``files``/``content`` are given) and return the JSON answer, or {} when empty."""
        response = await self.send("POST", service, path, token=token, json=json, **kw)
        return response.json() if response.content else {}

    async def put(self, service: str, path: str, *, token: str | None = None, json: Any = None, **kw: Any) -> Any:
        """PUT and return the JSON answer."""
        response = await self.send("PUT", service, path, token=token, json=json, **kw)
        return response.json() if response.content else {}
