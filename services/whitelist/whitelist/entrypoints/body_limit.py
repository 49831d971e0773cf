"""Refuse an upload whose declared size is over the limit before any of it is read or spooled."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from xinyidai_shared.web import problem

MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers, file name
_MATERIAL_PATH = re.compile(r"^(?:/v1)?/applications/[^/]+/materials/[^/]+$")


class UploadSizeLimit:
    """Pure ASGI: a material upload declaring more than the limit gets 413 problem+json at once."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes + MULTIPART_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT" and _MATERIAL_PATH.match(scope["path"]):
            declared = dict(scope["headers"]).get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self.max_bytes:
                response = problem(413, "MATERIAL_TOO_LARGE", f"uploads are limited to {self.max_bytes} bytes")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
