"""The Loan aggregate: registration facts, eligibility verdict, and the status the bank reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from enum import StrEnum

from xinyidai_shared.errors import Conflict, DomainError, Invalid
from xinyidai_shared.events import (
    EventPayload,
    LoanClassifiedAsLoss,
    LoanCured,
    LoanDefaultedMaliciously,
    LoanOverdue,
    LoanRepaid,
)

from .classification import Category, better_than_floor, floor_for
from .eligibility import LoanFacts, RuleCheck
from .rates import AppliedRate


class LoanState(StrEnum):
    ACTIVE = "active"
    SETTLED = "settled"


@dataclass
class StatusRecord:
    """One status report as received (kept as history; never updated)."""

    kind: str  # repayment | overdue | classification | settled | malicious_default
    as_of: date
    amount_fen: int | None = None
    days_past_due: int | None = None
    category: str | None = None
    flagged: bool = False
    detail: str = ""
    ref: str | None = None  # the bank's own reference (repayments), its natural idempotency key


@dataclass
class Loan:
    """A bank's loan as registered on the platform, with its eligibility and current status."""

    loan_id: str
    bank_id: str
    bank_loan_no: str
    principal_fen: int
    facts: LoanFacts
    purpose: str
    product_id: str | None
    applied_rate: AppliedRate
    policy_profile: str
    checks: tuple[RuleCheck, ...]
    registered_at: datetime
    outstanding_fen: int = 0
    days_past_due: int = 0
    overdue_principal_fen: int = 0
    category: Category = Category.NORMAL
    category_flagged: bool = False
    state: LoanState = LoanState.ACTIVE
    loss_on: date | None = None
    principal_at_loss_fen: int | None = None
    malicious_default_on: date | None = None
    last_status_on: date | None = None
    version: int = 0
    events: list[EventPayload] = field(default_factory=list)
    new_records: list[StatusRecord] = field(default_factory=list)

    @property
    def uscc(self) -> str:
        return self.facts.uscc

    @cached_property  # the checks are fixed at registration; storing, telling and answering each ask again
    def covered(self) -> bool:
        """Covered when every eligibility rule passed at issuance."""
        return all(check.passed for check in self.checks)

    def _ids(self) -> dict:
        return {"loan_id": self.loan_id, "bank_id": self.bank_id, "uscc": self.uscc}

    def _check_date(self, as_of: date, *, snapshot: bool = True) -> None:
        if as_of < self.facts.issued_on:
            raise Invalid("STATUS_BEFORE_ISSUE", f"{as_of} is before the issue date {self.facts.issued_on}", field="as_of")
        if not snapshot:
            return  # a repayment is a flow: a late report of an earlier one is still true
        # Days past due and category are snapshots: an older one must not overwrite a newer one.
        if self.last_status_on is not None and as_of < self.last_status_on:
            raise Conflict("STATUS_OUT_OF_ORDER", f"{as_of} is older than the last report of {self.last_status_on}")
        self.last_status_on = as_of

    def _require_active(self) -> None:
        if self.state is LoanState.SETTLED:
            raise Conflict("LOAN_SETTLED", f"loan {self.bank_loan_no} is settled")

    def repay(self, amount_fen: int, repaid_on: date, ref: str | None = None) -> None:
        """A repayment of principal; reaching zero settles the loan (LoanRepaid)."""
        self._require_active()
        if amount_fen <= 0:
            raise Invalid("AMOUNT_NOT_POSITIVE", "a repayment must be positive", field="amount")
        if amount_fen > self.outstanding_fen:
            raise Invalid("REPAYMENT_EXCEEDS_OUTSTANDING", f"outstanding is {self.outstanding_fen} fen", field="amount")
        self._check_date(repaid_on, snapshot=False)
        self.outstanding_fen -= amount_fen
        self.overdue_principal_fen = min(self.overdue_principal_fen, self.outstanding_fen)
        settled = self.outstanding_fen == 0
        if settled:
            self.state = LoanState.SETTLED
            self.days_past_due = 0
        self.new_records.append(StatusRecord("repayment", repaid_on, amount_fen=amount_fen, ref=ref))
        self.events.append(
            LoanRepaid(**self._ids(), amount_fen=amount_fen, outstanding_fen=self.outstanding_fen,
                       settled=settled, repaid_on=repaid_on)
        )

    def settle(self, settled_on: date) -> None:
        """The bank reports the loan settled: whatever is outstanding was repaid that day."""
        self._require_active()
        if self.outstanding_fen:
            self.repay(self.outstanding_fen, settled_on)
            return
        self._check_date(settled_on, snapshot=False)
        self.state = LoanState.SETTLED
        self.new_records.append(StatusRecord("settled", settled_on))

    def report_overdue(self, days_past_due: int, overdue_principal_fen: int, as_of: date) -> None:
        """Days past due as of a date; overdue (> 0) publishes LoanOverdue, 0 after overdue publishes LoanCured."""
        self._require_active()
        if (as_of, days_past_due, overdue_principal_fen) == (self.last_status_on, self.days_past_due, self.overdue_principal_fen):
            return  # the same snapshot again (a retry or the monthly file repeating a call): nothing new
        if days_past_due < 0:
            raise Invalid("DAYS_PAST_DUE_NEGATIVE", "days past due cannot be negative", field="days_past_due")
        if not 0 <= overdue_principal_fen <= self.outstanding_fen:
            raise Invalid("OVERDUE_EXCEEDS_OUTSTANDING", f"outstanding is {self.outstanding_fen} fen", field="overdue_principal")
        self._check_date(as_of)
        previous_days = self.days_past_due
        self.days_past_due = days_past_due
        self.overdue_principal_fen = overdue_principal_fen
        flagged = better_than_floor(self.category, days_past_due)
        self.category_flagged = flagged
        self.new_records.append(StatusRecord("overdue", as_of, amount_fen=overdue_principal_fen,
                                             days_past_due=days_past_due, flagged=flagged))
        if days_past_due > 0:
            self.events.append(LoanOverdue(**self._ids(), days_past_due=days_past_due,
                                           overdue_principal_fen=overdue_principal_fen, as_of=as_of))
        elif previous_days > 0:
            # The cure must be told too: credit-data counts an overdue loan against the rating until it hears.
            self.events.append(LoanCured(**self._ids(), previous_days_past_due=previous_days, cured_on=as_of))

    def classify(self, category: Category, as_of: date) -> bool:
        """The bank's five-category classification; returns True when better than the floor (flagged)."""
        self._require_active()
        if (as_of, category) == (self.last_status_on, self.category):
            return self.category_flagged  # the same snapshot again: nothing new
        if self.category is Category.LOSS and category is not Category.LOSS:
            raise Conflict("LOSS_IS_FINAL", "a loan classified as loss cannot be reclassified")
        self._check_date(as_of)
        flagged = better_than_floor(category, self.days_past_due)
        self.category, self.category_flagged = category, flagged
        detail = f"floor {floor_for(self.days_past_due).value}" if flagged else ""
        self.new_records.append(StatusRecord("classification", as_of, category=category.value,
                                             days_past_due=self.days_past_due, flagged=flagged, detail=detail))
        if category is Category.LOSS and self.loss_on is None:
            self.loss_on, self.principal_at_loss_fen = as_of, self.outstanding_fen
            self.events.append(LoanClassifiedAsLoss(**self._ids(), principal_at_loss_fen=self.outstanding_fen,
                                                    classified_on=as_of))
        return flagged

    def report_malicious_default(self, detail: str, reported_on: date) -> None:
        """A bank's report of malicious default (恶意欠贷), for the credit office to review (Plan 4.2.6).

        Only a loan in default can be defaulted on maliciously: it must be past due or classified as loss.
        One report per loan; it becomes a public dishonesty record only if an officer confirms it.
        """
        if not detail.strip():
            raise Invalid("DETAIL_REQUIRED", "say what the malicious default was", field="detail")
        if self.malicious_default_on is not None:
            raise Conflict("MALICIOUS_DEFAULT_ALREADY_REPORTED",
                           f"a malicious default on this loan was reported on {self.malicious_default_on}")
        if self.days_past_due <= 0 and self.category is not Category.LOSS:
            raise DomainError("MALICIOUS_DEFAULT_NOT_OVERDUE", "only a loan past due or classified as loss can be "
                              f"reported as a malicious default; it is {self.category.value} at 0 days past due")
        self._check_date(reported_on, snapshot=False)
        self.malicious_default_on = reported_on
        self.new_records.append(StatusRecord("malicious_default", reported_on, detail=detail.strip()))
        self.events.append(LoanDefaultedMaliciously(
            **self._ids(), detail=detail.strip(), reported_on=reported_on, days_past_due=self.days_past_due,
            category=self.category.value, outstanding_fen=self.outstanding_fen,
        ))
