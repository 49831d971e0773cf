"""HTTP request and response models of fund-ledger: money as exact yuan strings (``Yuan``)."""

from __future__ import annotations

from datetime import date, datetime


from pydantic import BaseModel, ConfigDict, Field
from xinyidai_shared.money import Yuan, YuanIn
from xinyidai_shared.text import Identifier, Text


REFERENCE = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$",
                  description="Your own reference, unique within your organisation and your idempotency key: the same "
                              "reference with the same body replays the first answer. It never becomes a transfer id.")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CapitalDepositCreate(_In):
    reference: Identifier = REFERENCE
    amount: YuanIn = Field(description="Exact yuan, e.g. \"10000000.00\"")


class FiscalRevenueCreate(_In):
    year: int = Field(ge=2000, le=2100)
    revenue: YuanIn = Field(description="The year's general-budget revenue from financial-industry taxes")


class DuePaymentCreate(_In):
    reference: Identifier = REFERENCE
    amount: YuanIn


class TransferRead(BaseModel):
    id: str
    kind: str
    debit_account: str
    credit_account: str
    amount: Yuan
    status: str
    created_at: datetime
    posted_at: datetime | None = None
    claim_id: str | None = None
    loan_id: str | None = None
    bank_id: str | None = None
    reverses: str | None = None
    due_id: str | None = None
    memo: str = ""
    reference: str | None = Field(None, description="The declaring organisation's own reference")
    declared_by: str | None = None
    decided_by: str | None = Field(None, description="Who confirmed or voided it (or the statement that proved it)")


class ReversalCreate(_In):
    reference: Identifier = REFERENCE
    reason: Text = Field(min_length=1, max_length=500)


class ConfirmationCreate(_In):
    note: Text | None = Field(None, max_length=500, description="What the confirmer checked, e.g. the bank statement line")


class VoidCreate(_In):
    reason: Text = Field(min_length=1, max_length=500)


class DueRead(BaseModel):
    id: str
    kind: str
    party: str
    amount: Yuan
    settled: Yuan
    outstanding: Yuan
    due_on: date
    overdue: bool
    year: int | None = None
    basis: Yuan | None = None
    rate_bp: int | None = None
    reference: str | None = None


class BalanceRead(BaseModel):
    account: str
    side: str
    balance: Yuan
    debits: Yuan
    credits: Yuan
    at: datetime | None = None


class FundRead(BaseModel):
    cash: Yuan
    waiting_count: int
    waiting: Yuan
    compensation_paid: Yuan
    dues_outstanding: Yuan


class BankPositionRead(BaseModel):
    bank_id: str
    cap: Yuan | None
    committed: Yuan
    paid: Yuan
    waiting: Yuan
    cap_left: Yuan | None
    clawed_back: Yuan
    disqualified: bool
    owed: Yuan
    overdue: Yuan
    dues: list[DueRead]


class JournalPage(BaseModel):
    items: list[TransferRead]
    next_cursor: str | None


class LeverageRead(BaseModel):
    covered_principal_outstanding: Yuan
    covered_loans: int
    cash: Yuan
    leverage: str | None = Field(description="Covered principal outstanding ÷ cash, 4 decimals; null when cash is 0")


def fen_keys_to_yuan(doc: dict) -> dict:
    """Rename ``*_fen`` keys of a query result to the API's names (values stay fen; ``Yuan`` formats them)."""
    return {(k[:-4] if k.endswith("_fen") else k): v for k, v in doc.items()}


def due_read(doc: dict) -> DueRead:
    return DueRead(**fen_keys_to_yuan(doc))


def transfer_read(row) -> TransferRead:  # noqa: ANN001 - a Transfer or a SQLAlchemy row
    return TransferRead(
        id=row.id, kind=str(row.kind), debit_account=row.debit_account, credit_account=row.credit_account,
        amount=row.amount_fen, status=str(row.status), created_at=row.created_at, posted_at=row.posted_at,
        claim_id=row.claim_id, loan_id=row.loan_id, bank_id=row.bank_id, reverses=row.reverses, due_id=row.due_id,
        memo=row.memo or "", reference=row.client_ref, declared_by=row.declared_by, decided_by=row.decided_by,
    )
