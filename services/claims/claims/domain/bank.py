"""Banks on the platform: admission, institution documents (art.16.1), products (Plan 4.2.3), clawback (art.19)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from xinyidai_shared.errors import Conflict, Forbidden, Invalid
from xinyidai_shared.events import ClawbackOrdered, EventPayload
from xinyidai_shared.maker_checker import ensure_second_person

# Art.16.1: on its first application a bank files its business licence, legal-person certificate,
# organisation code certificate, articles of association and tax registration certificate.
INSTITUTION_DOCUMENT_KINDS = frozenset(
    {"business_licence", "legal_person_certificate", "code_certificate", "articles_of_association", "tax_registration"}
)


@dataclass
class Bank:
    bank_id: str
    name: str
    admitted_on: date
    agreement_ref: str
    documents: dict[str, str] = field(default_factory=dict)  # kind -> document reference
    clawed_back_at: datetime | None = None
    clawback_reason: str | None = None
    version: int = 0
    events: list[EventPayload] = field(default_factory=list)

    def file_documents(self, documents: dict[str, str]) -> None:
        """Keep (or replace) institution documents by kind."""
        unknown = set(documents) - INSTITUTION_DOCUMENT_KINDS
        if unknown:
            raise Invalid("DOCUMENT_KIND_UNKNOWN", f"unknown kinds {sorted(unknown)}", field="documents")
        empty = [kind for kind, ref in documents.items() if not ref.strip()]
        if empty:
            raise Invalid("DOCUMENT_REF_EMPTY", f"empty references for {sorted(empty)}", field="documents")
        self.documents.update(documents)

    def missing_documents(self) -> list[str]:
        """Institution document kinds not yet on file."""
        return sorted(INSTITUTION_DOCUMENT_KINDS - set(self.documents))

    def ensure_may_claim(self, today: date) -> None:
        """A bank claims only after admission and never after a clawback (art.19)."""
        if self.clawed_back_at is not None:
            raise Forbidden("BANK_DISQUALIFIED", f"bank {self.bank_id} lost eligibility: {self.clawback_reason}")
        if today < self.admitted_on:
            raise Conflict("BANK_NOT_ADMITTED", f"bank {self.bank_id} joins on {self.admitted_on}")

    def order_clawback(self, clawback_id: str, reason: str, at: datetime) -> None:
        """Finance bureau (art.19): all compensation is recovered and the bank may no longer claim."""
        if self.clawed_back_at is not None:
            raise Conflict("CLAWBACK_ALREADY_ORDERED", f"bank {self.bank_id} was clawed back at {self.clawed_back_at}")
        if not reason.strip():
            raise Invalid("REASON_REQUIRED", "a clawback needs its reason", field="reason")
        self.clawed_back_at, self.clawback_reason = at, reason
        self.events.append(ClawbackOrdered(clawback_id=clawback_id, bank_id=self.bank_id, reason=reason, ordered_at=at))


@dataclass
class ClawbackProposal:
    """Art.19 clawback as two officers decide it: one proposes with the reason, another confirms it.

    Clawing back every compensation a bank received and disqualifying it moves money back to the fund by
    an officer's hand, so no single officer may order it.
    """

    proposal_id: str
    bank_id: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    status: str = "proposed"  # proposed | ordered | rejected
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None

    def _expect_open(self) -> None:
        if self.status != "proposed":
            raise Conflict("CLAWBACK_PROPOSAL_DECIDED", f"the proposal {self.proposal_id} is {self.status}",
                           current_state=self.status)

    def confirm(self, bank: Bank, *, clawback_id: str, by: str, at: datetime) -> None:
        """A second officer confirms: the clawback is ordered (ClawbackOrdered) and the bank disqualified."""
        self._expect_open()
        ensure_second_person(self.proposed_by, by)
        bank.order_clawback(clawback_id, self.reason, at)
        self.status, self.decided_by, self.decided_at = "ordered", by, at

    def reject(self, *, by: str, at: datetime, note: str) -> None:
        """Another look finds no ground: the proposal ends and a new one may be made later."""
        self._expect_open()
        if not note.strip():
            raise Invalid("REASON_REQUIRED", "say why the clawback is not ordered", field="reason")
        self.status, self.decided_by, self.decided_at, self.decision_note = "rejected", by, at, note.strip()


@dataclass(frozen=True)
class Product:
    product_id: str
    bank_id: str
    name: str
    description: str
    max_amount_fen: int
    max_term_months: int
    published_on: date
