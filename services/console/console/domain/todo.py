"""What waits on each person: the queues behind the to-do list and the counts in the navigation (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .people import Text
from .standing import disputes_to_decide


def _length(body: Any) -> int:
    return len(body) if isinstance(body, list) else 0


def _batches_to_move(body: Any) -> int:
    """Closed batches wait for their notice; batches on notice wait to be concluded."""
    return sum(1 for b in body if b.get("state") in {"closed", "on_notice"}) if isinstance(body, list) else 0


def _overdue_dues(body: Any) -> int:
    return sum(1 for d in body if d.get("overdue")) if isinstance(body, list) else 0


def _declarations(body: Any) -> int:
    """Pending cash-in declarations and reversal proposals (compensations waiting for cash are not one)."""
    items = body.get("items", []) if isinstance(body, dict) else []
    return sum(1 for e in items if e.get("kind") != "compensation")


def _waiting(body: Any) -> int:
    return int(body.get("waiting_count") or 0) if isinstance(body, dict) else 0


def _books_broken(body: Any) -> int:
    return 0 if isinstance(body, dict) and body.get("ok") else 1


@dataclass(frozen=True)
class Queue:
    """One kind of work: where it is listed in a service, and where the person acts on it."""

    nav: str  # the navigation link whose badge it adds to
    label: Text
    url: str
    service: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    count: Callable[[Any], int] = _length


def _apps(status: str, label: Text, nav: str = "applications") -> Queue:
    return Queue(nav, label, f"/applications?status={status}", "whitelist", "/v1/applications", {"status": status})


def _claims(state: str, label: Text) -> Queue:
    return Queue("claims", label, f"/claims?state={state}", "claims", "/v1/claims", {"state": state})


QUEUES: dict[str, tuple[Queue, ...]] = {
    "department": (_apps("submitted", ("待初审的入库申请", "Applications to screen")),),
    "credit_office": (
        _apps("screened", ("待信用核查的申请", "Applications to credit-check")),
        Queue("reviews", ("待复核的名单企业", "Members to re-review"), "/reviews", "whitelist", "/v1/reviews", {"status": "open"}),
        Queue("default_reports", ("待审查的恶意逃废债报告", "Malicious-default reports to review"), "/default-reports",
              "credit-data", "/v1/default-reports", {"status": "pending", "limit": "500"}),
        Queue("default_reports", ("企业对已公开记录的异议", "Disputes of public records"), "/default-reports",
              "credit-data", "/v1/default-reports", {"status": "confirmed", "limit": "500"}, count=disputes_to_decide),
    ),
    "leading_group_office": (
        _apps("credit_checked", ("待审核的入库申请", "Applications to review")),
        _apps("in_notice", ("公示中的入库申请", "Applications on public notice")),
        _claims("submitted", ("待初审的代偿申请", "Claims for preliminary review")),
        Queue("batches", ("待公示或办结的批次", "Batches to notice or conclude"), "/batches", "claims", "/v1/batches",
              count=_batches_to_move),
    ),
    "leading_group": (_claims("awaiting_approval", ("待审批的代偿申请", "Claims to approve")),),
    "fin_dev_bureau": (_claims("awaiting_verification", ("待核实的代偿申请", "Claims to verify")),),
    "finance_bureau": (
        Queue("fund", ("等待资金的代偿", "Compensations waiting for cash"), "/fund", "fund-ledger", "/v1/fund", count=_waiting),
        Queue("dues", ("逾期应收款", "Overdue dues"), "/fund/dues", "fund-ledger", "/v1/dues", {"overdue": "true"},
              count=_overdue_dues),
        Queue("deposits", ("待确认的到账申报", "Declarations to confirm"), "/fund/deposits#declared", "fund-ledger",
              "/v1/journal", {"status": "pending", "limit": "200"}, count=_declarations),
    ),
    "auditor": (
        Queue("verification", ("账务核验未通过", "Books that do not verify"), "/audit", "fund-ledger", "/v1/verification",
              count=_books_broken),
    ),
}


@dataclass(frozen=True)
class Item:
    label: Text
    url: str
    count: int | None  # None: the service did not answer


def items(role: str, answers: list[Any]) -> list[Item]:
    """The to-do list from each queue's answer (an exception where a service failed)."""
    return [
        Item(q.label, q.url, None if isinstance(a, BaseException) else q.count(a))
        for q, a in zip(QUEUES.get(role, ()), answers, strict=True)
    ]


def badges(role: str, todo: list[Item]) -> dict[str, int]:
    """Counts per navigation link: the sum of its queues' known counts."""
    totals: dict[str, int] = {}
    for q, item in zip(QUEUES.get(role, ()), todo, strict=True):
        if item.count:
            totals[q.nav] = totals.get(q.nav, 0) + item.count
    return totals
