"""The console's pure rules: form errors next to fields, to-do counts, charts, the agenda, search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from console.domain import charts, forms, people, todo, trail, workflow
from console.entrypoints.filters import fen
from console.domain.agenda import agenda_rows, safe_cell
from console.domain.search import search


def test_a_validation_error_lands_next_to_its_field_and_the_rest_above_the_form() -> None:
    errors = forms.place(422, "VALIDATION_FAILED", "the request does not match the schema",
                         [{"field": "employees", "reason": "Input should be a valid integer"},
                          {"field": "body.records.0.amount", "reason": "bad money"},
                          {"field": "nowhere", "reason": "odd"}], {}, {"employees", "amount"})
    assert errors.fields == {"employees": "Input should be a valid integer", "amount": "bad money"}
    assert errors.general == "nowhere: odd"


def test_a_domain_error_naming_a_field_is_shown_at_that_field() -> None:
    errors = forms.place(400, "OBJECTION_EMPTY", "an objection needs a text", [], {"field": "text"}, {"text", "contact"})
    assert errors.fields == {"text": "an objection needs a text"} and not errors.general


def test_a_refusal_without_a_field_is_said_above_the_form_with_its_code() -> None:
    errors = forms.place(409, "OBJECTIONS_PENDING", "1 objection(s) wait for a decision", [], {}, {"reason"})
    assert errors.general == "1 objection(s) wait for a decision" and errors.code == "OBJECTIONS_PENDING"
    assert bool(errors)


def test_todo_counts_per_queue_and_badges_per_navigation_link() -> None:
    answers = [[{"id": 1}, {"id": 2}], RuntimeError("down"), [{"claim_id": "c"}],
               [{"state": "closed"}, {"state": "open"}, {"state": "on_notice"}, {"state": "done"}]]
    items = todo.items("leading_group_office", answers)
    assert [i.count for i in items] == [2, None, 1, 2]
    assert todo.badges("leading_group_office", items) == {"applications": 2, "claims": 1, "batches": 2}
    approvals = todo.items("leading_group", [[{"claim_id": "a"}, {"claim_id": "b"}]])
    assert todo.badges("leading_group", approvals) == {"claims": 2}


def test_finance_and_auditor_queues_read_figures_not_lists() -> None:
    journal = {"items": [{"kind": "initial_capital"}, {"kind": "compensation"}, {"kind": "contribution_payment"}]}
    items = todo.items("finance_bureau", [{"waiting_count": 3}, [{"overdue": True}, {"overdue": False}], journal])
    assert [i.count for i in items] == [3, 1, 2]
    assert [i.count for i in todo.items("auditor", [{"ok": False, "violations": ["x"]}])] == [1]
    assert [i.count for i in todo.items("auditor", [{"ok": True, "violations": []}])] == [0]


def test_each_application_step_belongs_to_one_role_in_one_state() -> None:
    assert [s.path for s in workflow.application_steps("department", "submitted")] == ["screen", "reject"]
    assert workflow.application_steps("department", "screened") == ()
    assert [s.path for s in workflow.application_steps("credit_office", "screened")] == ["credit-check", "reject"]
    assert workflow.application_steps("credit_office", "screened")[0].override
    assert [s.path for s in workflow.application_steps("leading_group_office", "in_notice")] == ["conclude"]
    assert workflow.application_steps("leading_group", "in_notice") == ()


def test_claim_actions_follow_article_17_roles() -> None:
    assert workflow.claim_action("leading_group_office", "submitted").path == "preliminary-review"
    assert workflow.claim_action("leading_group", "submitted") is None
    assert workflow.claim_action("leading_group", "awaiting_approval").path == "approval"
    assert workflow.claim_action("leading_group_office", "awaiting_approval") is None
    assert workflow.claim_action("fin_dev_bureau", "awaiting_verification").path == "verification"
    assert workflow.claim_action("fin_dev_bureau", "submitted") is None
    assert workflow.batch_actions("leading_group_office", "closed", ["awaiting_approval"]) == ()
    assert workflow.batch_actions("leading_group_office", "closed", ["awaiting_notice", "rejected"])[0][0] == "notice"
    assert workflow.batch_actions("leading_group", "closed", ["awaiting_notice"]) == ()
    assert workflow.batch_actions("finance_bureau", "open", ["submitted"]) == ()


def test_dues_fall_into_age_buckets_by_days_past_their_date() -> None:
    today = date(2026, 12, 2)
    dues = [{"due_on": "2026-12-31", "outstanding": "10.00"}, {"due_on": "2026-11-20", "outstanding": "1.50"},
            {"due_on": "2026-08-01", "outstanding": "100.00"}, {"due_on": "2026-01-01", "outstanding": "0.00"}]
    buckets = charts.dues_by_age(dues, today)
    assert [(a, n) for _, a, n in buckets] == [(Decimal("10.00"), 1), (Decimal("1.50"), 1), (Decimal(0), 0), (Decimal("100.00"), 1)]
    assert charts.dues_chart(buckets, "zh")["data"]["datasets"][0]["data"] == [10.0, 1.5, 0.0, 100.0]


def test_cash_is_read_at_each_month_end_across_a_year_boundary() -> None:
    days = charts.month_ends(date(2027, 1, 15), months=3)
    assert days == [date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 15)]
    series = charts.cash_series(days, [{"balance": "0.00"}, {"balance": "10000000.00"}, {"balance": "9700000.00"},
                                       {"balance": "9700000.01"}])
    assert series[-1] == ("2027-01-15", Decimal("9700000.01"))
    assert charts.cash_chart([], "zh") is None


def test_the_agenda_neutralises_cells_a_spreadsheet_would_run() -> None:
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("-1+2") == "'-1+2" and safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell(5) == 5
    claim = {"claim_id": "=cmd", "bank_id": "bank-a", "uscc": "U", "principal_at_loss": "1000.00", "state": "awaiting_notice",
             "submitted_at": "2026-12-01T00:00:00Z", "expected": {"ratio_bp": 3000, "expected": "300.00"},
             "eligibility": [{"rule": "first_loan", "passed": True, "flagged": True}],
             "steps": [{"step": "preliminary_review", "decision": "pass", "note": "+ok"}]}
    (row,) = agenda_rows([claim])
    assert row[1] == "'=cmd" and row[6] == "30.00%" and row[7] == "待公示"
    assert row[8] == "符合（提示：first_loan）" and row[9] == "通过 +ok"


def test_search_matches_every_word_and_counts_all_matches() -> None:
    rows = [{"name": "凌源市示范制造有限公司", "uscc": "91211382MA0XYD0011"}, {"name": "凌源市商贸", "uscc": "91211382MA0XYD0029"}]
    assert search(rows, "示范 0011", ("name", "uscc"))[1] == 1
    assert search(rows, "", ("name",), limit=1) == ([rows[0]], 2)
    assert search(rows, "凌源", ("name",))[1] == 2


def _rows(*pairs: tuple[int, str]) -> list[dict]:
    return [{"id": i, "at": f"2026-12-02T10:00:{s}+00:00", "detail": {}} for i, s in pairs]


def test_the_trail_merges_services_by_time_and_each_cursor_moves_only_past_rows_shown() -> None:
    answers = {
        "credit-data": {"items": _rows((7, "01"), (8, "05")), "next_cursor": None},
        "whitelist": {"items": _rows((3, "02"), (4, "03")), "next_cursor": 4},
        "fund-ledger": {"items": [], "next_cursor": None},
        "claims": {"items": _rows((11, "04")), "next_cursor": None},
    }
    page = trail.merge(answers, dict.fromkeys(trail.SERVICES, 0) | {"credit-data": 6}, limit=3)
    assert [(r.service, r.item["id"]) for r in page.rows] == [("credit-data", 7), ("whitelist", 3), ("whitelist", 4)]
    # credit-data's row 8 and claims' row 11 were not shown: their cursors stay where those rows come next.
    assert trail.parse_cursor(page.next_cursor) == {"credit-data": 7, "whitelist": 4, "fund-ledger": 0, "claims": 0}


def test_the_trail_keeps_each_services_own_order_even_when_its_clock_went_back() -> None:
    answers = {s: {"items": [], "next_cursor": None} for s in trail.SERVICES}
    answers["claims"] = {"items": _rows((1, "09"), (2, "01")), "next_cursor": None}
    answers["whitelist"] = {"items": _rows((5, "05")), "next_cursor": None}
    page = trail.merge(answers, dict.fromkeys(trail.SERVICES, 0), limit=1)
    # Row 2 is earlier by the clock but comes after row 1: showing it first would make the cursor skip row 1.
    assert [(r.service, r.item["id"]) for r in page.rows] == [("whitelist", 5)]
    rest = trail.merge(answers | {"whitelist": {"items": [], "next_cursor": None}}, trail.parse_cursor(page.next_cursor), 5)
    assert [r.item["id"] for r in rest.rows] == [1, 2] and rest.next_cursor is None


def test_the_trail_is_unfinished_while_a_service_did_not_answer_and_bad_cursors_are_refused() -> None:
    answers = {s: {"items": [], "next_cursor": None} for s in trail.SERVICES if s != "claims"}
    page = trail.merge(answers, dict.fromkeys(trail.SERVICES, 0), limit=10)
    assert page.rows == [] and page.next_cursor == "0.0.0.0"
    for bad in ("1.2.3", "1.2.3.x", "-1.0.0.0", "1.0.0.99999999999999999999", "9223372036854775808.0.0.0", "１.0.0.0"):
        with pytest.raises(trail.BadCursor):
            trail.parse_cursor(bad)


def test_trail_dates_are_beijing_days_both_inclusive_and_changes_list_before_and_after() -> None:
    assert trail.day_bounds(date(2026, 12, 1), date(2026, 12, 1)) == ("2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00")
    row = trail.Row("fund-ledger", {"detail": {"before": {"status": "pending", "amount_fen": 5}, "after": {
        "status": "posted", "amount_fen": 5, "note": "ok"}, "events": [{"type": "FundDeposited", "key": "t"}]}})
    assert row.changes == [("status", "pending", "posted"), ("note", None, "ok")] and row.events == ["FundDeposited"]


def test_a_page_belongs_to_the_longest_navigation_link_it_lies_under() -> None:
    auditor = people.nav_for("auditor")
    assert people.current_link(auditor, "/audit/trail") == "trail" and people.current_link(auditor, "/audit") == "verification"
    assert people.current_link(people.nav_for("finance_bureau"), "/fund/dues") == "dues"
    assert people.current_link(auditor, "/auditing") is None


def test_audited_fen_read_as_exact_yuan() -> None:
    assert [fen(v) for v in (64669490, 5, -12345, 0, None, "x")] == ["646,694.90", "0.05", "-123.45", "0.00", "—", "x"]
