"""The console's pure rules: form errors next to fields, to-do counts, charts, the agenda, search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from console.domain import charts, forms, todo, workflow
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
