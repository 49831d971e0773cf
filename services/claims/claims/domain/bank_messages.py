"""What a bank is told: message types for events, who among the banks hears them, and the body that is signed.

A message body follows the Standard Webhooks shape ``{"type", "timestamp", "data"}``. Its data is the
event's payload as documented in docs/EVENTS.md, with money as exact yuan strings as in every API
(``amount_fen: 1234567`` becomes ``amount: "12345.67"``), plus what the bank needs to find its own records
(its loan numbers for an enterprise's news).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from xinyidai_shared.money import format_fen

from .claim import Claim

# Events whose message goes to the bank named in the payload (``bank_id``, or ``party`` for dues).
FOR_THE_BANK: dict[str, str] = {
    "PaymentInstructed": "payment.instructed",
    "PaymentApproved": "payment.approved",
    "PaymentExported": "payment.exported",
    "CompensationPaid": "payment.paid",
    "PaymentReturned": "payment.returned",
    "PaymentCancelled": "payment.cancelled",
    "DueRaised": "due.raised",
    "DuePaid": "due.paid",
    "DueOverdue": "due.overdue",
    "InterestIncomeReportMissing": "reminder.interest_report_missing",
    "SettlementAccountChanged": "settlement_account.changed",
}
# Events about an enterprise: told to every bank with an active loan to it.
FOR_LENDERS: dict[str, str] = {"RiskAlertRaised": "risk.alert_raised", "EnterpriseDelisted": "borrower.delisted"}
# Events about the fund itself: told to every admitted bank (their claims wait on its cash).
FOR_EVERY_BANK: dict[str, str] = {"FundBalanceLow": "reminder.fund_balance_low"}
CITY = "city"  # the payer of the fiscal share: not a bank, no webhook
_IDS = uuid.UUID("8d8f6a52-5b35-4b8e-9f0b-1f3c3f2f7a10")  # namespace of message ids derived from event ids


@dataclass(frozen=True)
class Message:
    """One message for one bank; ``message_id`` is the ``webhook-id`` its receiver dedupes on."""

    message_id: str
    bank_id: str
    type: str
    data: dict[str, Any]

    def row(self, at: datetime) -> dict[str, Any]:
        """The stored form: the exact body that is signed and sent."""
        body = {"type": self.type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": self.data}
        return {"message_id": self.message_id, "bank_id": self.bank_id, "type": self.type,
                "body": orjson.dumps(body).decode()}


def derived_id(event_id: str, bank_id: str) -> str:
    """The same event told to the same bank twice (a replay) keeps one message id."""
    return "msg_" + uuid.uuid5(_IDS, f"{event_id}\n{bank_id}").hex


def fresh_id() -> str:
    return "msg_" + uuid.uuid4().hex


def as_yuan(payload: dict[str, Any]) -> dict[str, Any]:
    """Money fields (``*_fen`` integers) as exact yuan strings without the suffix, as the HTTP API shows money."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key.endswith("_fen") and isinstance(value, int):
            out[key[: -len("_fen")]] = format_fen(value)
        elif key.endswith("_fen") and value is None:
            out[key[: -len("_fen")]] = None
        else:
            out[key] = value
    return out


def message_type(event_type: str, payload: dict[str, Any]) -> str | None:
    """The message type an event becomes, or None when banks are not told of it."""
    if event_type == "EnterpriseDelisted":
        return "borrower.suspended" if payload.get("suspended") else "borrower.delisted"
    return FOR_THE_BANK.get(event_type) or FOR_LENDERS.get(event_type) or FOR_EVERY_BANK.get(event_type)


def addressee(payload: dict[str, Any]) -> str | None:
    """The bank an event names (None for the city's fiscal share)."""
    bank = payload.get("bank_id") or payload.get("party")
    return None if bank in (None, CITY) else bank


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def claim_state_changed(claim: Claim, *, previous_state: str | None, bank_loan_no: str | None) -> Message:
    """A claim moved: its new state, where it came from and what the bank needs to act on it."""
    data = {
        "claim_id": claim.claim_id, "loan_id": claim.loan_id, "bank_loan_no": bank_loan_no, "uscc": claim.uscc,
        "state": claim.state.value, "previous_state": previous_state, "batch_id": claim.batch_id,
        "principal_at_loss": format_fen(claim.principal_at_loss_fen),
        "expected_compensation": format_fen(claim.expected.expected_fen),
        "reasons": [{"code": r.code, "article": r.article, "text": r.text} for r in claim.reasons],
        "approved_at": _instant(claim.approved_at),
        "paid": format_fen(claim.paid_fen) if claim.paid_fen is not None else None, "paid_at": _instant(claim.paid_at),
        "blocked_reason": claim.blocked_reason,
    }
    return Message(fresh_id(), claim.bank_id, "claim.state_changed", data)
