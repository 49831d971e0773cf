"""A sliding-window limit per client address, kept in memory (one process's view)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from xinyidai_shared.errors import DomainError, ErrorKind

MAX_TRACKED_CLIENTS = 100_000


class RateLimiter:
    """At most ``limit`` hits per ``window_s`` seconds for each key; the oldest keys are forgotten first."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> None:
        """Count one hit for ``key``; raise RATE_LIMITED (429) when the window is full."""
        now = self.clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        self._hits[key] = hits  # re-inserted last: dict order doubles as least-recently-used order
        if len(hits) >= self.limit:
            retry = max(1, int(hits[0] + self.window_s - now) + 1)
            raise DomainError("RATE_LIMITED", f"too many requests from this address; retry in {retry}s",
                              kind=ErrorKind.RATE_LIMITED, retry_after_s=retry)
        hits.append(now)
        while len(self._hits) > MAX_TRACKED_CLIENTS:
            self._hits.pop(next(iter(self._hits)))
