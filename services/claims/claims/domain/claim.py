"""The Claim aggregate and its review batch (Measures art.13, 14, 16, 17).

submitted → (batch closed) preliminary review by the leading-group office → verification by the
financial development bureau when the reviewer doubts → approval by the leading group → public notice
of the batch (working days, objections) → approved (ClaimApproved) → paid / blocked by the fund ledger.
A claim may be rejected, with reasons and their articles, at every review step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from xinyidai_shared.errors import Conflict, Forbidden, Invalid
from xinyidai_shared.events import ClaimApproved, ClaimRejected, EventPayload

from .compensation import Expected


class ClaimState(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_VERIFICATION = "awaiting_verification"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_NOTICE = "awaiting_notice"
    ON_NOTICE = "on_notice"
    APPROVED = "approved"
    PAID = "paid"
    BLOCKED = "blocked"
    REJECTED = "rejected"


# Reasons a reviewer may give, each tied to the article it rests on.
REASON_ARTICLES: dict[str, str] = {
    "ART13_EXCLUSION": "Measures art.13",  # business breaking law or the bank's own rules
    "NOT_ELIGIBLE": "Measures art.11",
    "NOT_LOSS": "Measures art.14",
    "MATERIALS_INCOMPLETE": "Measures art.16",
    "MATERIALS_FALSE": "Measures art.19",
    "VERIFICATION_FAILED": "Measures art.17.2",
    "OBJECTION_UPHELD": "Measures art.17.3",
    "CAP_EXHAUSTED": "Measures art.12",
    "OTHER": "Measures art.17",
}


@dataclass(frozen=True)
class Reason:
    code: str
    article: str
    text: str


def reason(code: str, text: str) -> Reason:
    """A rejection reason with the article its code rests on; the text must say why."""
    if code not in REASON_ARTICLES:
        raise Invalid("REASON_UNKNOWN", f"unknown reason code {code!r}; use one of {sorted(REASON_ARTICLES)}", field="reasons")
    if not text.strip():
        raise Invalid("REASON_TEXT_REQUIRED", "each reason needs a text saying why", field="reasons")
    return Reason(code, REASON_ARTICLES[code], text.strip())


class BatchState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # under review; no new claims join
    ON_NOTICE = "on_notice"
    DONE = "done"


@dataclass
class Batch:
    batch_id: str
    opened_at: datetime
    state: BatchState = BatchState.OPEN
    closed_at: datetime | None = None
    notice_starts_on: date | None = None
    notice_ends_on: date | None = None
    notice_working_days: int | None = None
    version: int = 0

    def close(self, at: datetime) -> None:
        """Stop taking claims so the batch can be reviewed together (art.17.1)."""
        if self.state is not BatchState.OPEN:
            raise Conflict("BATCH_NOT_OPEN", f"batch {self.batch_id} is {self.state.value}")
        self.state, self.closed_at = BatchState.CLOSED, at

    def start_notice(self, starts_on: date, ends_on: date, working_days: int, *, today: date) -> None:
        """Put the batch's approved claims on public notice (art.17.3) from ``starts_on``: today or a later day."""
        if self.state is not BatchState.CLOSED:
            raise Conflict("BATCH_NOT_CLOSED", f"batch {self.batch_id} is {self.state.value}")
        if starts_on < today:
            raise Invalid("NOTICE_START_IN_PAST", f"a notice cannot start before today ({today})", field="starts_on")
        self.state = BatchState.ON_NOTICE
        self.notice_starts_on, self.notice_ends_on, self.notice_working_days = starts_on, ends_on, working_days

    def notice_started(self, today: date) -> bool:
        """Whether the notice is public by ``today`` (a scheduled notice is not, before its first day)."""
        return self.state is BatchState.ON_NOTICE and self.notice_starts_on is not None and self.notice_starts_on <= today

    def notice_may_close(self, today: date) -> bool:
        """A notice closes after its last day; a notice of 0 working days closes from its start (demo stacks)."""
        if self.notice_ends_on is None or self.notice_starts_on is None or today < self.notice_starts_on:
            return False
        return self.notice_working_days == 0 or today > self.notice_ends_on

    def objections_open(self, today: date) -> bool:
        """Anyone may object from the first to the last day of the notice."""
        return self.notice_started(today) and self.notice_ends_on is not None and today <= self.notice_ends_on

    def finish(self, today: date) -> None:
        """End the notice once its period is over."""
        if self.state is not BatchState.ON_NOTICE:
            raise Conflict("BATCH_NOT_ON_NOTICE", f"batch {self.batch_id} is {self.state.value}")
        if not self.notice_may_close(today):
            raise Conflict("NOTICE_NOT_OVER", f"the notice runs until {self.notice_ends_on}")
        self.state = BatchState.DONE


@dataclass
class Step:
    """One officer decision on a claim (kept as the claim's review history)."""

    step: str
    decision: str
    by_org: str
    at: datetime
    note: str = ""
    reasons: tuple[Reason, ...] = ()
    by_actor: str = ""  # the person who decided for the organisation (the credential's subject), if named


@dataclass
class Claim:
    claim_id: str
    loan_id: str
    bank_id: str
    uscc: str
    batch_id: str
    principal_at_loss_fen: int
    policy_profile: str
    expected: Expected
    materials: tuple[tuple[str, str], ...]
    submitted_at: datetime
    state: ClaimState = ClaimState.SUBMITTED
    doubt: str = ""
    reasons: tuple[Reason, ...] = ()
    approved_at: datetime | None = None
    paid_fen: int | None = None
    paid_at: datetime | None = None
    paid_recorded_at: datetime | None = None
    transfer_id: str | None = None
    blocked_reason: str | None = None
    version: int = 0
    steps: list[Step] = field(default_factory=list)
    new_steps: list[Step] = field(default_factory=list)
    events: list[EventPayload] = field(default_factory=list)

    def _ids(self) -> dict:
        return {"claim_id": self.claim_id, "loan_id": self.loan_id, "bank_id": self.bank_id, "uscc": self.uscc}

    def _expect(self, *states: ClaimState) -> None:
        if self.state not in states:
            wanted = " or ".join(s.value for s in states)
            raise Conflict("CLAIM_WRONG_STATE", f"claim {self.claim_id} is {self.state.value}, not {wanted}")

    def _record(self, step: Step) -> None:
        self.steps.append(step)
        self.new_steps.append(step)

    def _reject(self, step: Step) -> None:
        if not step.reasons:
            raise Invalid("REASONS_REQUIRED", "a rejection needs at least one reason", field="reasons")
        self.state, self.reasons = ClaimState.REJECTED, step.reasons
        self._record(step)
        text = "; ".join(f"{r.article}: {r.text}" for r in step.reasons)
        self.events.append(ClaimRejected(**self._ids(), reason_codes=tuple(r.code for r in step.reasons), reason=text))

    def preliminary_review(self, batch: Batch, decision: str, step: Step) -> None:
        """Leading-group office: pass, doubt (needs verification, art.17.2) or reject."""
        self._expect(ClaimState.SUBMITTED)
        if batch.state is BatchState.OPEN:
            raise Conflict("BATCH_STILL_OPEN", "close the batch before reviewing its claims (art.17.1)")
        if decision == "pass":
            self.state = ClaimState.AWAITING_APPROVAL
        elif decision == "doubt":
            if not step.note.strip():
                raise Invalid("DOUBT_REQUIRED", "say what is in doubt", field="note")
            self.state, self.doubt = ClaimState.AWAITING_VERIFICATION, step.note
        elif decision == "reject":
            return self._reject(step)
        else:
            raise Invalid("DECISION_UNKNOWN", "decision must be pass, doubt or reject", field="decision")
        self._record(step)

    def verify(self, decision: str, step: Step) -> None:
        """Financial development bureau / PBoC branch verification: confirm or reject."""
        self._expect(ClaimState.AWAITING_VERIFICATION)
        if decision == "confirm":
            self.state = ClaimState.AWAITING_APPROVAL
            self._record(step)
        elif decision == "reject":
            self._reject(step)
        else:
            raise Invalid("DECISION_UNKNOWN", "decision must be confirm or reject", field="decision")

    def approve_for_notice(self, decision: str, step: Step, expected: Expected) -> None:
        """Leading group approval; the expected figure is recomputed (the bank's cap may have moved)."""
        self._expect(ClaimState.AWAITING_APPROVAL)
        if any(s.step == "preliminary_review" and s.by_org == step.by_org for s in self.steps):
            # Art.17.2: the office pre-reviews and reports to the leading group, which approves; one
            # organisation doing both would make the second look a formality.
            raise Forbidden("SAME_ORG_REVIEW_AND_APPROVAL",
                            f"{step.by_org} pre-reviewed claim {self.claim_id}; another organisation must decide its approval")
        if decision == "reject":
            return self._reject(step)
        if decision != "approve":
            raise Invalid("DECISION_UNKNOWN", "decision must be approve or reject", field="decision")
        self.expected = expected
        if expected.expected_fen == 0:
            # docs/DESIGN.md §2: a claim whose pay would be 0 is rejected with that reason.
            auto = Step(step.step, "reject", step.by_org, step.at, step.note,
                        (reason("CAP_EXHAUSTED", "the bank's cumulative cap is used up"),), step.by_actor)
            return self._reject(auto)
        self.state = ClaimState.AWAITING_NOTICE
        self._record(step)

    def put_on_notice(self, step: Step) -> None:
        """The batch notice lists this claim."""
        self._expect(ClaimState.AWAITING_NOTICE)
        self.state = ClaimState.ON_NOTICE
        self._record(step)

    def uphold_objection(self, step: Step) -> None:
        """An objection upheld during the notice rejects the claim."""
        self._expect(ClaimState.ON_NOTICE)
        self._reject(step)

    def conclude_notice(self, step: Step, approved_at: datetime) -> None:
        """Notice over without an upheld objection: approved, and the fund is asked to pay."""
        self._expect(ClaimState.ON_NOTICE)
        self.state, self.approved_at = ClaimState.APPROVED, approved_at
        self._record(step)
        self.events.append(
            ClaimApproved(
                **self._ids(),
                principal_at_loss_fen=self.principal_at_loss_fen,
                ratio_bp=self.expected.ratio_bp,
                per_loan_cap_fen=self.expected.per_loan_cap_fen,
                bank_cap_fen=self.expected.bank_cap_fen,
                covered_principal_fen=self.principal_at_loss_fen,
                policy_profile=self.policy_profile,
                approved_at=approved_at,
            )
        )

    def mark_paid(self, amount_fen: int, transfer_id: str, paid_at: datetime, recorded_at: datetime) -> None:
        """CompensationPaid from the fund ledger; a blocked claim waiting for cash may be paid later."""
        self._expect(ClaimState.APPROVED, ClaimState.BLOCKED)
        self.state, self.paid_fen, self.transfer_id = ClaimState.PAID, amount_fen, transfer_id
        self.paid_at, self.paid_recorded_at, self.blocked_reason = paid_at, recorded_at, None

    def mark_blocked(self, reason_code: str, reason_text: str) -> None:
        """CompensationBlocked from the fund ledger: the claim waits (e.g. until a deposit arrives)."""
        self._expect(ClaimState.APPROVED, ClaimState.BLOCKED)
        self.state, self.blocked_reason = ClaimState.BLOCKED, f"{reason_code}: {reason_text}"
