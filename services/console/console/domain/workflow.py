"""Which step each person may take on an application or a claim in each state (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from .people import Text

APPLICATION_STATES = ("submitted", "screened", "credit_checked", "in_notice", "recommended", "rejected")
CLAIM_STATES = ("submitted", "awaiting_verification", "awaiting_approval", "awaiting_notice", "on_notice", "approved",
                "paid", "blocked", "rejected")


@dataclass(frozen=True)
class Step:
    path: str  # the last part of the service's URL, e.g. "credit-check"
    label: Text
    reason_required: bool = False
    override: bool = False  # the credit check may override the pre-filled verdict, with a reason


_REJECT = Step("reject", ("退回（不予通过）", "Reject"), reason_required=True)

# (role, state) -> the steps that role takes while the application waits in that state
_APPLICATION: dict[tuple[str, str], tuple[Step, ...]] = {
    ("department", "submitted"): (Step("screen", ("初审通过", "Pass screening")), _REJECT),
    ("credit_office", "screened"): (Step("credit-check", ("信用核查通过", "Pass credit check"), override=True), _REJECT),
    ("leading_group_office", "credit_checked"): (Step("review", ("审核通过并公示", "Approve and open the notice")), _REJECT),
    ("leading_group_office", "in_notice"): (Step("conclude", ("公示期满，办结入库", "Conclude the notice and list")),),
}
APPLICATION_STEP_PATHS = frozenset({"screen", "credit-check", "review", "conclude", "reject"})


def application_steps(role: str, status: str) -> tuple[Step, ...]:
    """The steps the person may take now (none when the application waits on someone else)."""
    return _APPLICATION.get((role, status), ())


@dataclass(frozen=True)
class ClaimAction:
    path: str  # preliminary-review | verification | approval
    label: Text
    decisions: tuple[tuple[str, Text], ...]


_CLAIM: dict[tuple[str, str], ClaimAction] = {
    ("leading_group_office", "submitted"): ClaimAction("preliminary-review", ("初审", "Preliminary review"), (
        ("pass", ("通过", "Pass")), ("doubt", ("存疑，送金融发展局核实", "Doubt: send for verification")),
        ("reject", ("不予通过", "Reject")))),
    ("fin_dev_bureau", "awaiting_verification"): ClaimAction("verification", ("核实", "Verification"), (
        ("confirm", ("核实无误", "Confirm")), ("reject", ("核实不通过", "Reject")))),
    ("leading_group", "awaiting_approval"): ClaimAction("approval", ("审批", "Approval"), (
        ("approve", ("批准，进入公示", "Approve for notice")), ("reject", ("不予批准", "Reject")))),
}
CLAIM_ACTION_PATHS = frozenset({"preliminary-review", "verification", "approval"})


def claim_action(role: str, state: str) -> ClaimAction | None:
    """What the person decides on a claim in this state, if anything."""
    return _CLAIM.get((role, state))


def batch_actions(role: str, state: str, claim_states: list[str]) -> tuple[tuple[str, Text], ...]:
    """The office closes an open batch, notices a closed one whose claims are all decided, concludes a notice."""
    if role != "leading_group_office":
        return ()
    undecided = {"submitted", "awaiting_verification", "awaiting_approval"}
    if state == "open" and claim_states:
        return (("close", ("截止本批次，开始评审", "Close the batch for review")),)
    if state == "closed" and not undecided.intersection(claim_states):
        return (("notice", ("公示本批次已批准的代偿", "Publish the approved claims for notice")),)
    if state == "on_notice":
        return (("notice/close", ("公示期满，办结", "Conclude the notice")),)
    return ()
