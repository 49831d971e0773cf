"""The application state machine: every transition, every refusal, one role per step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from whitelist.domain.workflow import FORWARD, REJECTER, Status, Step, move
from xinyidai_shared.errors import Conflict, Forbidden, Invalid

AT = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
ROLES = ("department", "credit_office", "leading_group_office", "bank", "auditor", "finance_bureau")


@pytest.mark.parametrize(
    ("step", "source", "target", "role"),
    [
        (Step.SCREEN, Status.SUBMITTED, Status.SCREENED, "department"),
        (Step.CREDIT_CHECK, Status.SCREENED, Status.CREDIT_CHECKED, "credit_office"),
        (Step.REVIEW, Status.CREDIT_CHECKED, Status.REVIEWED, "leading_group_office"),
        (Step.OPEN_NOTICE, Status.REVIEWED, Status.IN_NOTICE, "leading_group_office"),
        (Step.CONCLUDE_NOTICE, Status.IN_NOTICE, Status.RECOMMENDED, "leading_group_office"),
    ],
)
def test_each_forward_step_moves_its_state_and_records_actor_time_and_reason(
    step: Step, source: Status, target: Status, role: str
) -> None:
    transition = move(source, step, actor="org-1", role=role, reason=" fine ", at=AT)
    assert (transition.from_status, transition.to_status) == (source, target)
    assert (transition.actor, transition.role, transition.reason, transition.at) == ("org-1", role, "fine", AT)


@pytest.mark.parametrize("step", list(FORWARD))
@pytest.mark.parametrize("status", list(Status))
def test_forward_step_from_any_other_state_is_a_conflict_naming_the_current_state(step: Step, status: Status) -> None:
    source, _, role = FORWARD[step]
    if status is source:
        return
    with pytest.raises(Conflict) as caught:
        move(status, step, actor="x", role=role, reason=None, at=AT)
    assert caught.value.code == "INVALID_TRANSITION"
    assert caught.value.extra["current_state"] == status


@pytest.mark.parametrize("step", list(FORWARD))
@pytest.mark.parametrize("role", ROLES)
def test_forward_step_by_another_role_is_forbidden(step: Step, role: str) -> None:
    source, _, owner = FORWARD[step]
    if role == owner:
        return
    with pytest.raises(Forbidden):
        move(source, step, actor="x", role=role, reason=None, at=AT)


@pytest.mark.parametrize(("status", "owner"), list(REJECTER.items()))
def test_open_application_is_rejected_by_the_owner_of_its_next_step_with_a_reason(status: Status, owner: str) -> None:
    transition = move(status, Step.REJECT, actor="o", role=owner, reason="tax arrears", at=AT)
    assert transition.to_status is Status.REJECTED
    for role in ROLES:
        if role != owner:
            with pytest.raises(Forbidden):
                move(status, Step.REJECT, actor="o", role=role, reason="tax arrears", at=AT)


@pytest.mark.parametrize("status", [Status.RECOMMENDED, Status.REJECTED])
def test_closed_application_cannot_be_rejected(status: Status) -> None:
    with pytest.raises(Conflict) as caught:
        move(status, Step.REJECT, actor="o", role="leading_group_office", reason="late", at=AT)
    assert caught.value.extra["current_state"] == status


def test_rejection_without_reason_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        move(Status.SUBMITTED, Step.REJECT, actor="o", role="department", reason="  ", at=AT)
    assert caught.value.code == "REASON_REQUIRED"


def test_overlong_reason_is_invalid() -> None:
    with pytest.raises(Invalid):
        move(Status.SUBMITTED, Step.SCREEN, actor="o", role="department", reason="x" * 2001, at=AT)
