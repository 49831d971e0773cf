"""Request size limits enforced before a body is parsed (pure ASGI, in front of every route).

A request that declares more than its route's limit (``Content-Length``) gets 413 problem+json at
once, unread. A request without a declared length (chunked) is counted as it streams: the moment it
passes the limit the client gets 413, the application sees a disconnect and stops reading, and the
server reads no more of it. Without this, a 100 MB JSON body was read whole and parsed before the 401.

JSON and form bodies have one default limit (1 MB); uploads name their own route limits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RouteLimit:
    """A larger (or smaller) limit for one route: ``PUT`` + a path pattern (``{name}`` for a segment)."""

    method: str
    path: str
    max_bytes: int
    code: str = "BODY_TOO_LARGE"

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and _pattern(self.path).match(path) is not None


@lru_cache(maxsize=64)
def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


class BodySizeLimit:
    """Pure ASGI: refuse bodies over the route's limit before the application reads them whole."""

    def __init__(self, app: ASGIApp, *, default_max: int = DEFAULT_MAX_BODY_BYTES, routes: Sequence[RouteLimit] = ()) -> None:
        self.app = app
        self.default = RouteLimit("*", "*", default_max)
        self.routes = tuple(routes)
        self.refused = 0  # bodies refused as too large (exposed for metrics)

    def limit_for(self, method: str, path: str) -> RouteLimit:
        return next((route for route in self.routes if route.matches(method, path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit.max_bytes:
            self.refused += 1
            await _too_large(scope, receive, send, limit)
            return
        await _Guard(self, limit, scope, receive, send).run()


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: RouteLimit) -> None:
    from .web import problem  # the edge's one problem+json builder (web imports this module)

    response = problem(413, limit.code, f"the request body may be at most {limit.max_bytes} bytes here")
    response.headers["connection"] = "close"  # the rest of the body is never read
    await response(scope, receive, send)


class _Guard:
    """One request's counting ``receive`` and a ``send`` that drops the app's answer once we answered."""

    def __init__(self, owner: BodySizeLimit, limit: RouteLimit, scope: Scope, receive: Receive, send: Send) -> None:
        self.owner, self.limit, self.scope, self._receive, self._send = owner, limit, scope, receive, send
        self.size = 0
        self.started = False
        self.answered = False

    async def run(self) -> None:
        await self.owner.app(self.scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.answered:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.limit.max_bytes:
                self.owner.refused += 1
                self.answered = True
                if not self.started:
                    await _too_large(self.scope, self._receive, self._send, self.limit)
                # The application sees a client that went away: it stops reading and parses nothing.
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.answered:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)
