"""Webhooks to banks: what a bank can be told, which targets may receive it, and when to try again.

Pure rules only: the URL and address policy (no private, loopback, link-local or metadata targets; loopback
only where a dev/test setting allows it), the retry schedule (exponential backoff with jitter for at least
the retry window), and the catalogue of message types a bank may subscribe to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from xinyidai_shared.errors import Invalid

# What a bank can be told (docs/WEBHOOKS.md shows each with an example).
MESSAGE_TYPES: dict[str, str] = {
    "claim.state_changed": "one of the bank's claims moved to another state (submitted ... approved, paid, rejected)",
    "payment.instructed": "the fund made a payment instruction for the bank's approved compensation",
    "payment.approved": "two finance-bureau officers approved the payment; the amount is reserved",
    "payment.exported": "the payment left in the fund's payment file",
    "payment.paid": "the fund account's statement showed the compensation paid",
    "payment.returned": "the payment came back (e.g. a wrong account); a new attempt follows",
    "payment.cancelled": "the instruction was withdrawn before export",
    "due.raised": "an amount became due from the bank to the fund",
    "due.paid": "money for a due reached the fund",
    "due.overdue": "reminder: a due is still open 30, then 90, days after its date",
    "reminder.interest_report_missing": "reminder: the bank's yearly interest-income report is missing",
    "reminder.fund_balance_low": "reminder: the fund's free cash is below its floor; compensation may wait",
    "settlement_account.changed": "the bank's settlement account was proposed, confirmed or rejected",
    "borrower.suspended": "an enterprise the bank lends to was suspended from the recommended list",
    "borrower.delisted": "an enterprise the bank lends to was removed from the recommended list",
    "risk.alert_raised": "a risk rule fired on an enterprise the bank lends to",
    "webhook.test": "a test message the bank asked for",
}

# Metadata services of the clouds a deployment may run on: refused by name even where a range check would
# already refuse them, so the refusal says what it is.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254",
))
URL_MAX = 2000


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: where to connect and what to call the host (TLS name, Host header)."""

    scheme: str
    host: str
    port: int
    url: str


def parse_target(url: str, *, allow_loopback: bool) -> Target:
    """Check the URL's form: https (http only for loopback in dev/test), a host, no credentials in it."""
    if len(url) > URL_MAX:
        raise Invalid("WEBHOOK_URL_INVALID", f"the URL is longer than {URL_MAX} characters", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid("WEBHOOK_URL_INVALID", "the URL cannot be parsed", field="url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid("WEBHOOK_URL_INVALID", "the URL must be https://host/path", field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("WEBHOOK_URL_INVALID", "credentials do not belong in the URL: the signing secret "
                      "authenticates our messages", field="url")
    if parts.fragment:
        raise Invalid("WEBHOOK_URL_INVALID", "a URL fragment is never sent; leave it out", field="url")
    if parts.scheme == "http" and not allow_loopback:
        raise Invalid("WEBHOOK_URL_INSECURE", "messages carry credit and payment information: use https://", field="url")
    host = parts.hostname.lower().rstrip(".")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), url)


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The host as an IP address when it is written as one."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_refusal(address: str, *, allow_loopback: bool) -> str | None:
    """Why an address may not receive webhooks (``metadata``, ``loopback``, ``link-local``, ``private``), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id says nothing about the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "private"  # RFC 1918, unique-local, shared (CGNAT), documentation and the other special ranges
    return None


def refuse_addresses(host: str, addresses: Iterable[str], *, allow_loopback: bool) -> list[str]:
    """Raise unless every address the host resolves to may receive webhooks; returns them."""
    found = sorted(set(addresses))
    if not found:
        raise Invalid("WEBHOOK_HOST_UNRESOLVED", f"{host} does not resolve to any address", field="url")
    for address in found:
        why = address_refusal(address, allow_loopback=allow_loopback)
        if why is not None:
            raise Invalid("WEBHOOK_TARGET_FORBIDDEN", f"{host} resolves to {address}, a {why} address: "
                          "webhooks go to public endpoints only", field="url", address_class=why)
    return found


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: ``base × 2^(n-1)`` capped at ``max``, each delay drawn from its upper
    half, for at least ``window`` after the first try; the last try falls on the window's end."""

    base: timedelta
    cap: timedelta
    window: timedelta

    def next_attempt(self, failures: int, now: datetime, retry_until: datetime,
                     rand: Callable[[], float]) -> datetime | None:
        """When to try again after ``failures`` failed tries, or None once the window is over."""
        if now >= retry_until:
            return None
        doublings = min(max(failures - 1, 0), 40)  # past the cap anyway; keeps the product finite
        delay = min(self.base * 2**doublings, self.cap)
        jittered = delay * (0.5 + 0.5 * rand())  # equal jitter: spread retries of many messages apart
        return min(now + jittered, retry_until)


def subscribed(event_types: tuple[str, ...], message_type: str) -> bool:
    """An endpoint with no list takes every message type; otherwise only those listed (tests always pass)."""
    return not event_types or message_type in event_types or message_type == "webhook.test"


def check_event_types(event_types: Iterable[str]) -> tuple[str, ...]:
    """The subscription list, each type known."""
    chosen = tuple(dict.fromkeys(event_types))
    unknown = [t for t in chosen if t not in MESSAGE_TYPES]
    if unknown:
        raise Invalid("WEBHOOK_EVENT_TYPE_UNKNOWN", f"unknown message types {unknown}; see GET /v1/webhooks/event-types",
                      field="event_types")
    return chosen
