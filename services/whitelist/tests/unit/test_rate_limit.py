"""The per-address sliding window used for public objections and applications."""

from __future__ import annotations

import pytest

from whitelist.adapters.rate_limit import RateLimiter
from xinyidai_shared.errors import DomainError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_refuses_the_hit_over_the_limit_and_frees_up_as_it_slides() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, 60.0, clock=clock)
    limiter.hit("1.2.3.4")
    clock.now += 30
    limiter.hit("1.2.3.4")
    with pytest.raises(DomainError) as caught:
        limiter.hit("1.2.3.4")
    assert caught.value.code == "RATE_LIMITED" and caught.value.extra["retry_after_s"] == 31
    limiter.hit("5.6.7.8")  # another address has its own window
    clock.now += 30.5  # the first hit has left the window
    limiter.hit("1.2.3.4")


def test_refused_hits_do_not_extend_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, 10.0, clock=clock)
    limiter.hit("a")
    for _ in range(5):
        with pytest.raises(DomainError):
            limiter.hit("a")
    clock.now += 10.01
    limiter.hit("a")
