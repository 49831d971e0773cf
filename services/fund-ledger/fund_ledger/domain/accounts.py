"""The fund's chart of accounts and the double-entry transfer.

Every movement is one transfer of a positive amount from a credited account to a debited account, so
the journal always balances (total debits = total credits). Accounts have a normal side: assets
(cash, amounts due) and expenses are debit-normal; capital and income are credit-normal. With this chart
no account's normal balance may ever be negative, which is the invariant ``verify`` checks, and the one
that keeps the fund's cash from going below zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from xinyidai_shared.errors import Invalid

CASH = "cash"
CAPITAL_INITIAL = "capital:initial"
INCOME_FISCAL = "income:fiscal"
INCOME_CONTRIBUTION = "income:contribution"
INCOME_RECOVERY = "income:recovery"
INCOME_CLAWBACK = "income:clawback"
DUE_FISCAL = "due:fiscal:city"

_DEBIT_PREFIXES = ("cash", "due:", "expense:")
_CREDIT_PREFIXES = ("capital:", "income:")
_CODE = re.compile(r"^[a-z]+(?::[A-Za-z0-9_.\-]+)*$")


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class TransferKind(StrEnum):
    INITIAL_CAPITAL = "initial_capital"
    FISCAL_DUE = "fiscal_due"
    FISCAL_DEPOSIT = "fiscal_deposit"
    CONTRIBUTION_DUE = "contribution_due"
    CONTRIBUTION_PAYMENT = "contribution_payment"
    COMPENSATION = "compensation"
    RECOVERY_DUE = "recovery_due"
    RECOVERY_PAYMENT = "recovery_payment"
    CLAWBACK_DUE = "clawback_due"
    CLAWBACK_PAYMENT = "clawback_payment"
    REVERSAL = "reversal"


class TransferStatus(StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"


# Money that arrives in the fund's cash. Someone declares it (a bank its payment, an officer a deposit);
# it becomes cash only when the finance bureau confirms it (pending -> posted) by a second person, or a
# bank statement does; until then it pays nobody.
CASH_IN_KINDS = frozenset({
    TransferKind.INITIAL_CAPITAL, TransferKind.FISCAL_DEPOSIT, TransferKind.CONTRIBUTION_PAYMENT,
    TransferKind.RECOVERY_PAYMENT, TransferKind.CLAWBACK_PAYMENT,
})
# What a person may confirm or void by hand: declared cash and proposed reversals. Compensations waiting
# for cash are posted by the queue only.
CONFIRMABLE_KINDS = CASH_IN_KINDS | {TransferKind.REVERSAL}
# Ids the system derives from what triggered a transfer (an event, a due). A caller's own reference never
# becomes a transfer id: client transfers get minted ids (MINTED_PREFIXES) and keep the caller's reference
# beside it, scoped by the caller's organisation, so the two namespaces cannot meet.
DERIVED_PREFIXES = ("cmp-", "due-")
MINTED_PREFIXES = ("cin-", "rev-")


def due_account(kind: str, party: str) -> str:
    """Receivable account for money owed to the fund: ``due:<kind>:<party>``."""
    return f"due:{kind}:{party}"


def compensation_account(bank_id: str) -> str:
    """Expense account holding all compensation paid to one bank."""
    return f"expense:compensation:{bank_id}"


def normal_side(code: str) -> Side:
    """Debit for assets and expenses, credit for capital and income; refuses codes outside the chart."""
    if not _CODE.match(code):
        raise Invalid("ACCOUNT_UNKNOWN", f"not an account code: {code!r}")
    if code == CASH or code.startswith(_DEBIT_PREFIXES[1:]):
        return Side.DEBIT
    if code.startswith(_CREDIT_PREFIXES):
        return Side.CREDIT
    raise Invalid("ACCOUNT_UNKNOWN", f"account {code!r} is not in the fund's chart")


def normal_balance(code: str, debits_fen: int, credits_fen: int) -> int:
    """The balance on the account's normal side (never negative in a sound book)."""
    if normal_side(code) is Side.DEBIT:
        return debits_fen - credits_fen
    return credits_fen - debits_fen


@dataclass(frozen=True)
class Transfer:
    """One immutable movement: ``amount_fen`` leaves ``credit_account`` and enters ``debit_account``.

    ``id`` is the idempotency key chosen by the caller (or derived from the triggering event);
    the ledger refuses a second transfer with the same id.
    """

    id: str
    kind: TransferKind
    debit_account: str
    credit_account: str
    amount_fen: int
    created_at: datetime
    status: TransferStatus = TransferStatus.POSTED
    posted_at: datetime | None = None
    event_id: str | None = None
    claim_id: str | None = None
    loan_id: str | None = None
    bank_id: str | None = None
    reverses: str | None = None
    due_id: str | None = None
    memo: str = ""
    client_party: str | None = None  # the organisation whose reference this is (a bank, the finance bureau)
    client_ref: str | None = None  # that organisation's own reference: its idempotency key
    declared_by: str | None = None  # who declared or proposed it (organisation/person)
    decided_by: str | None = None  # who confirmed or voided it (organisation/person, or a statement)

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > 120:
            raise Invalid("TRANSFER_ID_INVALID", "a transfer id is 1 to 120 characters")
        if isinstance(self.amount_fen, bool) or not isinstance(self.amount_fen, int) or self.amount_fen <= 0:
            raise Invalid("AMOUNT_NOT_POSITIVE", f"transfer amount must be a positive integer fen: {self.amount_fen!r}")
        if self.debit_account == self.credit_account:
            raise Invalid("SAME_ACCOUNT", "a transfer needs two different accounts")
        normal_side(self.debit_account)
        normal_side(self.credit_account)
        if self.created_at.tzinfo is None:
            raise Invalid("TIME_NOT_AWARE", "created_at must be timezone-aware")
        if self.status is TransferStatus.POSTED and self.posted_at is None:
            raise Invalid("POSTED_WITHOUT_TIME", "a posted transfer needs posted_at")

    def same_request(self, other: Transfer) -> bool:
        """True when ``other`` asks for the very same movement (so a retry may replay this one)."""
        return (
            self.kind == other.kind
            and self.debit_account == other.debit_account
            and self.credit_account == other.credit_account
            and self.amount_fen == other.amount_fen
            and self.due_id == other.due_id  # paying another due with a used id is a reuse, not a retry
            and self.reverses == other.reverses
            and self.bank_id == other.bank_id
        )


def reversal_of(original: Transfer, *, reversal_id: str, at: datetime, memo: str = "") -> Transfer:
    """A new transfer undoing a posted one: same amount, accounts swapped (the original stays as it was)."""
    if original.status is not TransferStatus.POSTED:
        raise Invalid("TRANSFER_NOT_POSTED", "only a posted transfer can be reversed")
    if original.kind is TransferKind.REVERSAL:
        raise Invalid("REVERSAL_OF_REVERSAL", "a reversal is not reversed; post a new transfer instead")
    return Transfer(
        id=reversal_id,
        kind=TransferKind.REVERSAL,
        debit_account=original.credit_account,
        credit_account=original.debit_account,
        amount_fen=original.amount_fen,
        created_at=at,
        posted_at=at,
        bank_id=original.bank_id,
        claim_id=original.claim_id,
        loan_id=original.loan_id,
        reverses=original.id,
        due_id=original.due_id,
        memo=memo or f"reversal of {original.id}",
    )
