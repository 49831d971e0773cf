"""Webhook signing and retry timing for alert deliveries to banks."""

from __future__ import annotations

import hashlib
import hmac

MAX_ATTEMPTS = 6
BASE_DELAY_S = 2
MAX_DELAY_S = 600


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: the timestamp is signed to stop replays."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a bank runs: recompute the signature from the header's timestamp and compare in constant time."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    if "t" not in parts or not parts["t"].isdigit():
        return False
    return hmac.compare_digest(signature(secret, int(parts["t"]), body), header)


def next_delay_s(attempts: int) -> int | None:
    """Seconds before the next try after ``attempts`` failures (exponential); None once we give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return min(BASE_DELAY_S * 2 ** (attempts - 1), MAX_DELAY_S)
