"""Oversight pages in a real browser against the real stack: the auditor follows writes through the audit trail;
the credit office reviews a bank's malicious-default report and decides the enterprise's disputes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from tools.demo import Story
from tools.stack import Stack
from xinyidai_shared.clock import today_shanghai
from xinyidai_shared.devorgs import dev_tokens
from xinyidai_shared.uscc import make_uscc


def new_uscc() -> str:
    return make_uscc("MA" + uuid.uuid4().hex[:7].upper().translate(str.maketrans("IOSVZ", "12345")))


def story(stack: Stack) -> Story:
    return Story({k: v for k, v in stack.urls.items() if k != "console"}, dict(dev_tokens()), say=lambda _: None)


def test_the_auditor_follows_two_officers_declaration_and_confirmation_through_the_audit_trail(people) -> None:
    amount = f"{uuid.uuid4().int % 900_000 + 100_000}.{uuid.uuid4().int % 90 + 10}"
    maker = people.officer("czj", "吴会计")
    maker.goto("/fund/deposits")
    maker.fill("#f-amount", amount)
    maker.get_by_role("button", name="申报").click()
    row = maker.locator("#declared tbody tr", has_text=f"{int(amount.split('.')[0]):,}")
    expect(row).to_have_count(1)
    transfer_id = row.get_attribute("id").removeprefix("t-")
    checker = people.officer("czj", "郑会计")
    checker.goto("/fund/deposits")
    checker.locator(f"#t-{transfer_id}").get_by_role("button", name="确认到账").click()
    expect(checker.locator(f"#t-{transfer_id}")).to_have_count(0)

    auditor = people.officer("audit-ly", "冯审计")
    auditor.get_by_role("navigation", name="主导航").get_by_role("link", name="审计轨迹").click()
    auditor.fill("#f-org_id", "czj")
    auditor.fill("#f-since", today_shanghai().isoformat())
    auditor.get_by_role("button", name="筛选").click()
    expect(auditor.locator("table.trail")).to_contain_text("吴会计")
    people.shot(auditor, "trail-of-the-finance-bureau")
    # One click from a row to every write on the same object, across services.
    auditor.locator("table.trail").get_by_role("link", name=transfer_id).first.click()
    rows = auditor.locator("table.trail tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("吴会计")
    expect(rows.nth(0)).to_contain_text("/v1/deposits/initial-capital")
    expect(rows.nth(0)).to_contain_text(f"{Decimal(amount):,.2f}")  # the trail's fen read as yuan
    expect(rows.nth(1)).to_contain_text("郑会计")
    expect(rows.nth(1)).to_contain_text("pending → posted")
    expect(rows.nth(1)).to_contain_text("FundDeposited")
    people.shot(auditor, "one-transfer-two-people")
    assert re.search(r"object_id=", auditor.url)
    # Another person's role cannot open it.
    maker.goto("/audit/trail")
    expect(maker.get_by_text("ROLE_NOT_ALLOWED")).to_be_visible()


def _reported_default(s: Story, uscc: str, bank: str = "bank-icbc-ly") -> str:
    """A bank lends to the enterprise, the loan goes past due and the bank reports a malicious default."""
    docs = {k: f"{bank}-{k}" for k in ("business_licence", "legal_person_certificate", "code_certificate",
                                      "articles_of_association", "tax_registration")}
    s.call("POST", "claims", "/v1/banks", "lg-office", expect=(200, 201, 409), json={
        "bank_id": bank, "name": "中国工商银行凌源支行", "admitted_on": "2026-01-01", "agreement_ref": f"XYD-{bank}",
        "documents": docs})
    issued = today_shanghai()
    body = {"bank_loan_no": f"ICBC-LY-{uuid.uuid4().hex[:8].upper()}", "uscc": uscc, "principal": "500000.00",
            "annual_rate": "3.9", "issued_on": issued.isoformat(), "matures_on": (issued + timedelta(days=365)).isoformat(),
            "purpose": "流动资金周转", "purpose_category": "working_capital", "loan_type": "pure_credit",
            "through_platform": True, "first_loan": True}
    loan = s.call("POST", "claims", "/v1/loans", bank, json=body, headers={"Idempotency-Key": body["bank_loan_no"]})
    s.call("POST", "claims", f"/v1/loans/{loan['loan_id']}/overdue", bank,
           json={"days_past_due": 95, "overdue_principal": "500000.00", "as_of": issued.isoformat()})
    s.call("POST", "claims", f"/v1/loans/{loan['loan_id']}/malicious-default", bank,
           json={"detail": "把库存转给关联公司", "reported_on": issued.isoformat()})
    s.until("the report to reach the credit office", lambda: s.call(
        "GET", "credit-data", "/v1/default-reports", "fgj-credit", quiet=True, params={"uscc": uscc, "status": "pending"}))
    return loan["loan_id"]


def test_a_banks_default_report_is_disputed_reviewed_confirmed_and_annulled_on_the_enterprises_word(stack: Stack, people) -> None:
    s = story(stack)
    uscc, name = new_uscc(), f"凌源市违约复核测试有限公司{uuid.uuid4().hex[:4]}"
    _reported_default(s, uscc)

    firm = people.enterprise(uscc, name, "李经理")
    firm.get_by_role("navigation", name="主导航").get_by_role("link", name="关于我的报告").click()
    card = firm.locator("article.card").first
    expect(card).to_contain_text("把库存转给关联公司")
    card.locator("textarea").fill("该笔贷款已于上月与银行达成展期协议，不存在逃废债。")
    card.get_by_role("button", name="提出异议").click()
    expect(firm.locator("article.card").first).to_contain_text("该笔贷款已于上月与银行达成展期协议")
    people.shot(firm, "enterprise-disputes-the-report")

    credit = people.officer("fgj-credit", "钱主任")
    credit.goto("/work")
    credit.get_by_role("link", name="待审查的恶意逃废债报告").click()
    report = credit.locator("article.card", has_text=uscc).first
    expect(report).to_contain_text("500,000.00")
    # While the enterprise's dispute waits, the report cannot be confirmed: the office decides the dispute first.
    expect(report.get_by_role("button", name="确认并公开（五年）")).to_have_count(0)
    report.locator("select[name=uphold]").select_option("no")
    report.locator("textarea").fill("展期协议未经银行签章，不能成立")
    report.get_by_role("button", name="处理异议").click()
    report = credit.locator("article.card", has_text=uscc).first
    report.locator("textarea[name=reason]").last.fill("银行提供了转移资产的合同")
    report.get_by_role("button", name="确认并公开（五年）").click()
    credit.goto("/default-reports?status=confirmed")
    expect(credit.locator("article.card", has_text=uscc).first).to_contain_text("已确认并公开")
    people.shot(credit, "report-confirmed")
    public = people.page(phone=True)
    public.goto(f"/public/dishonesty?q={uscc}")
    expect(public.locator("main")).to_contain_text(uscc)

    # A public record can still be disputed; upheld, it is annulled and leaves the public list.
    firm.goto("/me/default-reports")
    firm.locator("article.card").first.locator("textarea").fill("法院判决认定转让为正常经营，附判决书编号(2026)辽1382民初123号")
    firm.get_by_role("button", name="提出异议").click()
    credit.goto("/work")
    credit.get_by_role("link", name="企业对已公开记录的异议").click()
    disputed = credit.locator("article.card", has_text=uscc).first
    disputed.locator("select[name=uphold]").select_option("yes")
    disputed.locator("textarea").fill("法院判决认定为正常经营")
    disputed.get_by_role("button", name="处理异议").click()
    credit.goto("/default-reports?status=annulled")
    expect(credit.locator("article.card", has_text=uscc).first).to_contain_text("已撤销")
    people.shot(credit, "record-annulled-on-the-enterprises-dispute")
    public.goto(f"/public/dishonesty?q={uscc}")
    expect(public.locator("main")).not_to_contain_text(uscc)
