"""First approved, first paid: which waiting compensations the fund's cash can pay now (docs/DESIGN.md §2).

Strict order: the head of the queue is paid before anything behind it, even when a smaller later one
would fit, so a large early claim is never starved and no claim is paid in part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Waiting:
    """A compensation approved but not yet paid."""

    claim_id: str
    amount_fen: int
    approved_at: datetime


def queue_order(waiting: Iterable[Waiting]) -> list[Waiting]:
    """Approval order, claim id breaking ties so the order is the same on every replica and replay."""
    return sorted(waiting, key=lambda item: (item.approved_at, item.claim_id))


def payable_now(cash_fen: int, waiting: Sequence[Waiting]) -> list[Waiting]:
    """The prefix of the queue that ``cash_fen`` pays in full, in order; stops at the first that does not fit."""
    paid: list[Waiting] = []
    left = cash_fen
    for item in queue_order(waiting):
        if item.amount_fen > left:
            break
        paid.append(item)
        left -= item.amount_fen
    return paid
