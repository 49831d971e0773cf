"""Outbound adapter: deliver one recommendation to the national SME financing credit platform."""

from __future__ import annotations

import httpx


class PlatformClient:
    """POSTs a recommendation as JSON; the push id travels as ``Idempotency-Key`` so retries are safe."""

    def __init__(self, url: str, *, token: str = "", timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url
        self._client = httpx.AsyncClient(timeout=timeout_s, headers=headers, transport=transport)

    async def push(self, push_id: str, payload: str) -> str | None:
        """None when the platform accepted it (2xx); otherwise why it did not."""
        try:
            response = await self._client.post(
                self.url, content=payload, headers={"Content-Type": "application/json", "Idempotency-Key": push_id}
            )
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:2000]
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {response.text[:500]}"

    async def aclose(self) -> None:
        await self._client.aclose()
